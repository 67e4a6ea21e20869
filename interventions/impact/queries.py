"""Impact of plans and sessions against similar pupils who had neither.

For each plan (per subject) and each pupil's session series (per subject and kind): the change in whole
grades (steps on the subject's scale, as tracking.standing counts distances) from the point the
intervention started to the latest point after it whose grades count: a locked point, verified or being
verified, never a window still open for entry. A pupil's points run across years (a plan started at
Year 10's summer point is measured at Year 11's autumn one). The comparison is the mean change, over the
same two points, of pupils in the same year group, prior-attainment band and subject who had no plan or
session in that subject. Reads are a fixed number of queries.

Whole grades, not the scale's points: points are performance-table points (a technical award's U to
Level 2 Pass is 0 to 4, Pass to Merit 4 to 5.5; A level grades are 10 apart), so averaging them across
subjects would weigh one scale's grade as several of another's.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, Q

from tracking import standing
from tracking.models import AssessmentPoint, GradeEntry, Pupil, Target

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


def _timelines(school):
    """({year number now: [points, oldest first]}, {point id: point}): each cohort's points this year
    and, in earlier years, the points of the year group it was then (this year's Year 11 were last
    year's Year 10)."""
    points = list(AssessmentPoint.objects.filter(school=school).select_related("academic_year", "year_group"))
    current = next((p.academic_year for p in points if p.academic_year.is_current), None)
    if current is None:
        return {}, {}
    timelines = defaultdict(list)
    for point in points:
        back = current.starts_on.year - point.academic_year.starts_on.year
        if back >= 0:
            timelines[point.year_group.number + back].append(point)
    for found in timelines.values():
        found.sort(key=lambda p: (p.academic_year.starts_on, p.sequence))
    return dict(timelines), {p.pk: p for found in timelines.values() for p in found}


def _grades(school, wanted, pupil_ids=None):
    """{(pupil id, subject id): {point id: whole-grade step of the grade that counts}} at the points
    `wanted` ({subject id: point ids}), for the pupils named (every pupil graded there without).

    tracking.standing picks the grade that counts in the database, so only graded rows come back."""
    if not wanted:
        return {}
    where = Q()
    for subject_id, point_ids in wanted.items():
        where |= Q(subject_id=subject_id, point_id__in=sorted(point_ids))
    # The points are the school's own (`_timelines`): no filter on the school as well. PostgreSQL would
    # multiply the two as if unrelated, expect a handful of rows for a small school sharing the database
    # with a large one, and join them one by one.
    entries = GradeEntry.objects.filter(where)
    if pupil_ids is not None:
        entries = entries.filter(pupil_id__in=sorted(pupil_ids))
    rows = (
        entries.annotate(step=standing.counting_step_expression())
        .filter(step__isnull=False)
        .values_list("pupil_id", "subject_id", "point_id", "step")
        .order_by()
    )
    out = defaultdict(dict)
    for pupil_id, subject_id, point_id, step in rows:
        out[(pupil_id, subject_id)][point_id] = float(step)
    return out


def _similar(school, keys, treated, vendor=None):
    """{(year group, prior band, subject id, start point id, end point id): (sum of changes, pupils)}
    over the pupils graded at both points of each of `keys` ((subject id, start, end)) who had no plan
    or session in the subject (`treated`: (pupil id, subject id) pairs), summed in the database.

    One query: every active pupil's grade that counts at the keys' points (as tracking.standing picks
    it, in its ORM form), read once and joined to itself through the keys (start to end), summed by
    cohort. Helped pupils are summed apart, by id, and left out here: a pupil helped in one subject is
    still a similar pupil in the others. The keys are a VALUES list the database joins on, not a chain
    of ORs it tests on every pair, and the grades one common table, not two subqueries to plan around.
    `vendor` (tests) picks the form the database is not."""
    if not keys:
        return {}
    points = defaultdict(set)
    for subject_id, start, end in keys:
        points[subject_id].update((start, end))
    where = Q()
    for subject_id, point_ids in points.items():
        where |= Q(subject_id=subject_id, point_id__in=sorted(point_ids))
    grades = (
        GradeEntry.objects.filter(where)  # the school's points: see _grades
        .annotate(step=standing.counting_step_expression())
        .filter(step__isnull=False)
        .order_by()
    )
    graded = (
        grades.filter(pupil__is_active=True)
        .values("pupil_id", "subject_id", "point_id", "step")
        .annotate(cohort=F("pupil__year_group_id"), band=F("pupil__prior_band"))
    )
    graded_sql, graded_params = graded.query.sql_with_params()
    ctes, params, ends = f"g AS ({graded_sql})", list(graded_params), "g"
    if (vendor or connection.vendor) == "sqlite":
        # SQLite has no hash joins: the common table, materialised, was read whole for every key (140 ms
        # at 6,000 pupils). Two tables each read once are inlined instead, and each pair found through
        # the indexes on (point, subject) and (pupil, subject, point); the end grade's pupil is the start
        # grade's, so it is not joined again (95 ms).
        later_sql, later_params = grades.values(
            "pupil_id", "subject_id", "point_id", "step"
        ).query.sql_with_params()
        ctes, ends = f"{ctes}, h AS ({later_sql})", "h"
        params += later_params
    keys = sorted(keys)
    helped = sorted({pupil_id for pupil_id, _ in treated})
    kept_apart = (
        f"CASE WHEN a.pupil_id IN ({', '.join(['%s'] * len(helped))}) THEN a.pupil_id END"
        if helped
        else "NULL"
    )
    sql = (
        f"WITH k (subject_id, start_id, end_id) AS (VALUES {', '.join(['(%s, %s, %s)'] * len(keys))}), "
        f"{ctes} "
        f"SELECT a.cohort, a.band, k.subject_id, k.start_id, k.end_id, {kept_apart} AS helped, "
        "SUM(b.step - a.step), COUNT(*) "
        "FROM k JOIN g a ON a.subject_id = k.subject_id AND a.point_id = k.start_id "
        f"JOIN {ends} b ON b.pupil_id = a.pupil_id AND b.subject_id = k.subject_id AND b.point_id = k.end_id "
        "GROUP BY a.cohort, a.band, k.subject_id, k.start_id, k.end_id, helped"
    )
    params = [*(value for key in keys for value in key), *params, *helped]
    sums = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for year_group_id, band, subject_id, start, end, pupil_id, total, n in cursor.fetchall():
            if pupil_id is not None and (pupil_id, subject_id) in treated:
                continue
            key = (year_group_id, band, subject_id, start, end)
            before = sums.get(key, (0, 0))
            sums[key] = (before[0] + int(total), before[1] + n)
    return sums


def with_standings(school, detail):
    """Each case's standing at its start and at each later point, as tracking.standing judges it
    (against the published target and the grade expected then): sets `path` on the cases given,
    [(point, standing or None)]. Judge only the cases a page shows: a fixed number of queries."""
    if not detail:
        return detail
    pupil_ids, subject_ids = {d["pupil_id"] for d in detail}, {d["subject_id"] for d in detail}
    book = standing.Book(school)
    # The Book holds every grade value: the targets need only their ids, not three joins each.
    targets = {
        (t.pupil_id, t.subject_id): book.fill_grades(t, "published_grade", "grade", "requested_grade")
        for t in Target.objects.filter(pupil_id__in=pupil_ids, subject_id__in=subject_ids)
    }
    points = {p.pk: p for d in detail for p in d["points"]}
    # The points are in hand and the Book holds every grade value: the rows need only their ids.
    wanted = {(d["pupil_id"], d["subject_id"], p.pk) for d in detail for p in d["points"]}
    entries = GradeEntry.objects.filter(
        school=school, pupil_id__in=pupil_ids, subject_id__in=subject_ids, point_id__in=points
    ).values_list("pupil_id", "subject_id", "point_id", "current_id", "predicted_id")
    judged = {
        (pupil_id, subject_id, point_id): book.judge(
            points[point_id],
            current=book.value(current_id),
            predicted=book.value(predicted_id),
            target=targets.get((pupil_id, subject_id)),
            pupil_id=pupil_id,
            subject_id=subject_id,
        )
        for pupil_id, subject_id, point_id, current_id, predicted_id in entries
        if (pupil_id, subject_id, point_id) in wanted
    }
    for d in detail:
        d["path"] = [(p, judged.get((d["pupil_id"], d["subject_id"], p.pk))) for p in d["points"]]
    return detail


def _start_point_for(timeline, day):
    """The cohort's latest locked point to have opened on or before `day`: where a series of sessions
    started from, judged on grades that count."""
    found = [p for p in timeline if p.is_locked and p.opens_on <= day]
    return found[-1] if found else None


def _cases(school, pupils, timelines, points):
    """[(kind key, label, pupil id, subject id, start point)] for every plan subject and session series."""
    cases = []
    tiers = dict(Plan._meta.get_field("tier").choices)
    # One row per plan and subject, in the plans' order and then the subjects' (as the plan lists them).
    plan_subjects = (
        Plan.subjects.through.objects.filter(plan__school=school, plan__start_point__in=list(points))
        .order_by("plan", "subject")
        .values_list("plan__tier", "plan__level", "plan__pupil_id", "subject_id", "plan__start_point_id")
    )
    for tier, level, pupil_id, subject_id, start_point_id in plan_subjects:
        label = f"Level {level} {str(tiers[tier]).lower()} plans"
        cases.append((f"plan-{tier}-{level}", label, pupil_id, subject_id, points[start_point_id]))
    # A series is a pupil's sessions of one subject and kind within one school year.
    years = {(p.academic_year.starts_on, p.academic_year.ends_on) for p in points.values()}
    first_session = {}
    for pupil_id, subject_id, kind, day in Allocation.objects.filter(
        school=school, status=AllocationStatus.CONFIRMED, session__subject__isnull=False
    ).values_list("pupil_id", "session__subject_id", "session__kind", "session__date"):
        year = next((starts for starts, ends in years if starts <= day <= ends), None)
        key = (pupil_id, subject_id, kind, year)
        first_session[key] = min(day, first_session.get(key, day))
    kinds = dict(Kind.choices)
    for (pupil_id, subject_id, kind, _), day in first_session.items():
        if pupil_id not in pupils:
            continue
        start = _start_point_for(timelines.get(pupils[pupil_id][1], []), day)
        if start is not None:
            cases.append((f"session-{kind}", f"{kinds[kind]} sessions", pupil_id, subject_id, start))
    return cases


def evaluate(school):
    """Rows per intervention kind and per case, for SLT and the week-6 cycle report."""
    timelines, points = _timelines(school)
    # Only pupils with a plan or a session can be a case: not the whole school's roll.
    helped = Q(pk__in=Plan.objects.filter(school=school).values("pupil_id")) | Q(
        pk__in=Allocation.objects.filter(school=school).values("pupil_id")
    )
    pupils = {
        pk: (year_group_id, number, band)
        for pk, year_group_id, number, band in Pupil.objects.filter(
            helped, school=school, is_active=True
        ).values_list("pk", "year_group_id", "year_group__number", "prior_band")
    }
    # Where each point stands on each cohort's timeline, by id (comparing the points themselves, as
    # models, cost more than the rest of the sums).
    places = {year: {p.pk: i for i, p in enumerate(timeline)} for year, timeline in timelines.items()}

    def after(pupil_id, start):
        """The points on the pupil's timeline after `start`."""
        year = pupils[pupil_id][1]
        return timelines[year][places[year][start.pk] + 1 :]

    # Only cases whose start is on the pupil's own timeline (a pupil moved to another year starts afresh).
    cases = [
        c
        for c in _cases(school, pupils, timelines, points)
        if c[2] in pupils and c[4].pk in places.get(pupils[c[2]][1], {})
    ]
    treated = {(pupil_id, subject_id) for _, _, pupil_id, subject_id, _ in cases}
    # The treated pupils' grades at each case's start and at the locked points after it ...
    wanted = defaultdict(set)
    for *_, pupil_id, subject_id, start in cases:
        wanted[subject_id].add(start.pk)
        wanted[subject_id].update(p.pk for p in after(pupil_id, start) if p.is_locked)
    found = _grades(school, wanted, {pupil_id for _, _, pupil_id, _, _ in cases})
    # ... then everyone's at each case's first and last point, for the similar pupils.
    ends = {}
    for index, (_, _, pupil_id, subject_id, start) in enumerate(cases):
        got = found.get((pupil_id, subject_id), {})
        later = [p for p in after(pupil_id, start) if p.is_locked and p.pk in got]
        if later and start.pk in got:
            ends[index] = later
    similar_sums = _similar(
        school,
        {(cases[index][3], cases[index][4].pk, later[-1].pk) for index, later in ends.items()},
        treated,
    )

    def change(pupil_id, subject_id, start, end):
        got = found.get((pupil_id, subject_id), {})
        if start.pk in got and end.pk in got:
            return got[end.pk] - got[start.pk]
        return None

    def comparison(year_group_id, band, subject_id, start, end):
        total, n = similar_sums.get((year_group_id, band, subject_id, start.pk, end.pk), (0, 0))
        return (total / n, n) if n else (None, 0)

    rows, detail = {}, []
    for index, (key, label, pupil_id, subject_id, start) in enumerate(cases):
        if index not in ends:
            continue
        year_group_id, _, band = pupils[pupil_id]
        later = ends[index]
        end = later[-1]
        moved = change(pupil_id, subject_id, start, end)
        similar, similar_n = comparison(year_group_id, band, subject_id, start, end)
        row = rows.setdefault(key, KindRow(key, label))
        row.changes.append(moved)
        row.comparison.append(similar)
        detail.append(
            {"kind": label, "pupil_id": pupil_id, "subject_id": subject_id, "start": start, "end": end,
             "change": round(moved, 2), "similar": round(similar, 2) if similar is not None else None,
             "similar_n": similar_n, "points": [start, *later]}
        )  # fmt: skip
    return sorted(rows.values(), key=lambda r: r.key), detail
