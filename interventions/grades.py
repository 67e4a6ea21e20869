"""A pupil's standing in each subject, as plans, allocation and impact show and judge it.

The one place interventions turn grades into standings, and it asks `tracking.standing` (the one
truth of a grade): which grade counts at a point, which target counts (the published one), the grade
expected now and how far the grade is from it. Nothing here re-derives those rules.
"""

from dataclasses import dataclass

from django.db.models import Q

from tracking import standing
from tracking.models import GradeEntry, School, Target


@dataclass(frozen=True)
class Standing:
    subject_id: int
    subject: str
    grade: str | None  # the grade that counts
    target: str | None  # the published target
    expected: str | None  # the grade expected now
    gap: int | None  # whole grades from the grade expected now: above (+) or below (-)
    status: str  # tracking.standing's above / on / below / well_below / none
    points: float | None  # the grade's points, for averages over time
    point_id: int | None  # the assessment point the grade is from

    @property
    def is_below(self):
        return self.status in standing.BELOW_STATUSES

    def as_dict(self):
        return {
            "subject_id": self.subject_id,
            "subject": self.subject,
            "grade": self.grade,
            "target": self.target,
            "expected": self.expected,
            "gap": self.gap,
            "status": self.status,
            "points": self.points,
            "point_id": self.point_id,
        }


def standings(pupil_ids, *, subject_ids=None, point=None, upto_sequence=None, school=None):
    """{(pupil id, subject id): Standing} from each pupil's latest counting grade this year.

    With `point`, only grades from that point (of any year); with `upto_sequence`, from points up to that one.
    A fixed number of queries however many pupils (tracking.standing's Book loads once).
    """
    entries = GradeEntry.objects.filter(
        Q(current__isnull=False) | Q(predicted__isnull=False), pupil_id__in=pupil_ids
    )
    if subject_ids is not None:
        entries = entries.filter(subject_id__in=subject_ids)
    if point is not None:
        entries = entries.filter(point=point)  # an earlier year's point too (a plan started then)
    else:
        entries = entries.filter(point__academic_year__is_current=True)
        if upto_sequence is not None:
            entries = entries.filter(point__sequence__lte=upto_sequence)
    # The Book holds every grade value of the school: rows need only their grades' ids, not a join each.
    book = standing.Book(school) if school is not None else None
    latest = {}
    for entry in entries.select_related("point", "subject").order_by("point__sequence"):
        if book is None:
            book = standing.Book(School.objects.get(pk=entry.school_id))
        book.fill_grades(entry, "current", "predicted")
        if standing.counting_grade(entry.point, entry.current, entry.predicted) is not None:
            latest[(entry.pupil_id, entry.subject_id)] = entry
    if not latest:
        return {}
    targets = Target.objects.filter(pupil_id__in=pupil_ids, subject_id__in={s for _, s in latest})
    target_of = {
        (t.pupil_id, t.subject_id): book.fill_grades(t, "published_grade", "grade", "requested_grade")
        for t in targets
    }
    result = {}
    for key, entry in latest.items():
        judged = book.judge_entry(entry, target_of.get(key))
        result[key] = Standing(
            subject_id=entry.subject_id,
            subject=entry.subject.name,
            grade=judged.grade.code if judged.grade else None,
            target=judged.target.code if judged.target else None,
            expected=judged.expected.code if judged.expected else None,
            gap=judged.diff,
            status=judged.status,
            points=float(judged.grade.points) if judged.grade and judged.grade.points is not None else None,
            point_id=entry.point_id,
        )
    return result


def pupil_standing(pupil, *, subject_ids=None, point=None):
    """The pupil's standing in each subject (or the ones named), ordered by subject."""
    found = standings([pupil.pk], subject_ids=subject_ids, point=point, school=pupil.school)
    return sorted(found.values(), key=lambda s: s.subject)


def gaps(pupil_ids, subject_ids, school):
    """{(pupil id, subject id): whole grades from the grade expected now} at each pupil's latest graded
    point this year, worked out in the database by tracking.standing (one query, for allocation)."""
    entries = GradeEntry.objects.filter(
        Q(current__isnull=False) | Q(predicted__isnull=False),
        pupil_id__in=pupil_ids,
        subject_id__in=subject_ids,
        point__academic_year__is_current=True,
    )
    rows = (
        standing.annotate_standing(entries, standing.Thresholds.of(school))
        .filter(counting_step__isnull=False)
        .order_by("point__sequence")
        .values_list("pupil_id", "subject_id", "standing_diff")
    )
    return {(pupil_id, subject_id): diff for pupil_id, subject_id, diff in rows}
