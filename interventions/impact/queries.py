"""Impact of plans and sessions against similar pupils who had neither.

For each plan (per subject) and each pupil's session series (per subject and kind): the change in whole
grades (steps on the subject's scale, as tracking.standing counts distances) from the point the
intervention started to the latest point after it whose grades count: a locked point, verified or being
verified, never a window still open for entry. The comparison is the mean change, over the same two
points, of pupils in the same year group, prior-attainment band and subject who had no plan or session
in that subject. Reads are a fixed number of queries.

Whole grades, not the scale's points: points are performance-table points (a technical award's U to
Level 2 Pass is 0 to 4, Pass to Merit 4 to 5.5; A level grades are 10 apart), so averaging them across
subjects would weigh one scale's grade as several of another's.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from tracking.models import AssessmentPoint, GradeEntry, Pupil

from .. import grades
from ..plans.models import Plan
from ..sessions.models import Allocation, AllocationStatus, Kind


@dataclass
class KindRow:
    key: str
    label: str
    changes: list = field(default_factory=list)
    comparison: list = field(default_factory=list)  # the matched groups' mean changes, one per treated case

    @property
    def n(self):
        return len(self.changes)

    @property
    def mean(self):
        return round(sum(self.changes) / len(self.changes), 2) if self.changes else None

    @property
    def comparison_mean(self):
        found = [c for c in self.comparison if c is not None]
        return round(sum(found) / len(found), 2) if found else None

    @property
    def difference(self):
        if self.mean is None or self.comparison_mean is None:
            return None
        return round(self.mean - self.comparison_mean, 2)


def _points(school):
    points = AssessmentPoint.objects.filter(school=school, academic_year__is_current=True).order_by(
        "sequence"
    )
    return {p.pk: p for p in points}


def _grades(school, points, subject_ids, year_group_ids):
    """{(pupil id, subject id): {point id: whole-grade step of the grade that counts}} this year."""
    rows = GradeEntry.objects.filter(
        school=school,
        point_id__in=list(points),
        subject_id__in=subject_ids,
        pupil__year_group_id__in=year_group_ids,
    ).values_list("pupil_id", "subject_id", "point_id", "current__step", "predicted__step")
    out = defaultdict(dict)
    for pupil_id, subject_id, point_id, current, predicted in rows:
        value = grades.counting_value(points[point_id], current, predicted)
        if value is not None:
            out[(pupil_id, subject_id)][point_id] = float(value)
    return out


def _start_point_for(points_by_year, year_group_id, day):
    """The year group's latest point that opened on or before `day`."""
    found = [p for p in points_by_year.get(year_group_id, []) if p.opens_on <= day]
    return found[-1] if found else None


def evaluate(school):
    """Rows per intervention kind and per case, for SLT and the week-6 cycle report."""
    points = _points(school)
    by_year = defaultdict(list)
    for p in points.values():
        by_year[p.year_group_id].append(p)
    pupils = {
        pk: (year, band)
        for pk, year, band in Pupil.objects.filter(school=school, is_active=True).values_list(
            "pk", "year_group_id", "prior_band"
        )
    }
    cases = []  # (kind key, label, pupil id, subject id, start point)
    plans = Plan.objects.filter(school=school, start_point__in=list(points)).prefetch_related("subjects")
    for plan in plans:
        label = f"Level {plan.level} {plan.get_tier_display().lower()} plans"
        for subject in plan.subjects.all():
            cases.append(
                (
                    f"plan-{plan.tier}-{plan.level}",
                    label,
                    plan.pupil_id,
                    subject.pk,
                    points[plan.start_point_id],
                )
            )
    first_session = {}
    for pupil_id, subject_id, kind, day in Allocation.objects.filter(
        school=school, status=AllocationStatus.CONFIRMED, session__subject__isnull=False
    ).values_list("pupil_id", "session__subject_id", "session__kind", "session__date"):
        key = (pupil_id, subject_id, kind)
        first_session[key] = min(day, first_session.get(key, day))
    kinds = dict(Kind.choices)
    for (pupil_id, subject_id, kind), day in first_session.items():
        if pupil_id not in pupils:
            continue
        start = _start_point_for(by_year, pupils[pupil_id][0], day)
        if start is not None:
            cases.append((f"session-{kind}", f"{kinds[kind]} sessions", pupil_id, subject_id, start))
    treated = {(pupil_id, subject_id) for _, _, pupil_id, subject_id, _ in cases}
    found = _grades(
        school,
        points,
        {subject_id for _, _, _, subject_id, _ in cases},
        {start.year_group_id for *_, start in cases},
    )
    cohorts = defaultdict(list)  # (year group, band) -> pupils, for the comparison groups
    for pid, key in pupils.items():
        cohorts[key].append(pid)
    comparison_cache = {}

    def change(pupil_id, subject_id, start, end):
        got = found.get((pupil_id, subject_id), {})
        if start.pk in got and end.pk in got:
            return got[end.pk] - got[start.pk]
        return None

    def comparison(year_group_id, band, subject_id, start, end):
        key = (year_group_id, band, subject_id, start.pk, end.pk)
        if key not in comparison_cache:
            values = [
                change(pid, subject_id, start, end)
                for pid in cohorts[(year_group_id, band)]
                if (pid, subject_id) not in treated
            ]
            values = [v for v in values if v is not None]
            comparison_cache[key] = (sum(values) / len(values), len(values)) if values else (None, 0)
        return comparison_cache[key]

    rows, detail = {}, []
    for key, label, pupil_id, subject_id, start in cases:
        if pupil_id not in pupils:
            continue
        year_group_id, band = pupils[pupil_id]
        later = [
            p
            for p in by_year[year_group_id]
            if p.is_locked and p.sequence > start.sequence and p.pk in found.get((pupil_id, subject_id), {})
        ]
        if not later:
            continue
        end = later[-1]
        moved = change(pupil_id, subject_id, start, end)
        if moved is None:
            continue
        similar, similar_n = comparison(year_group_id, band, subject_id, start, end)
        row = rows.setdefault(key, KindRow(key, label))
        row.changes.append(moved)
        row.comparison.append(similar)
        detail.append(
            {"kind": label, "pupil_id": pupil_id, "subject_id": subject_id, "start": start, "end": end,
             "change": round(moved, 2), "similar": round(similar, 2) if similar is not None else None,
             "similar_n": similar_n}
        )  # fmt: skip
    return sorted(rows.values(), key=lambda r: r.key), detail
