"""Judging rows in memory: `Book` loads what one school's judging needs once, `Standing` is its answer."""

from dataclasses import dataclass

from tracking.lib.shared import select_shared
from tracking.models import AssessmentPoint, FlightPath, GradeValue

from .counting import CURRENT, PREDICTED, counting_target, judged_field, pending_target
from .expected import DEFAULT_GAPS, _places, expected_gap, expected_step, gaps_of, grade_at_step
from .statuses import BELOW_STATUSES, NONE, Thresholds, attr


@dataclass(frozen=True)
class Standing:
    status: str = NONE
    diff: int | None = None  # whole grades from the grade expected now
    grade: object = None  # the GradeValue that counts
    judged: str | None = None  # "predicted" | "current"
    target: object = None  # the published target (end of Year 11 or 13)
    expected: object = None  # the GradeValue expected now
    pending: object = None  # a target waiting to be published (staff only)
    below_floor: bool = False
    pupil_id: int | None = None
    subject_id: int | None = None
    point_id: int | None = None

    @property
    def attr(self):
        return attr(self.status)

    @property
    def is_below(self):
        return self.status in BELOW_STATUSES

    @property
    def no_target(self):
        """A grade with no published target to judge it by."""
        return self.grade is not None and self.target is None

    @property
    def unjudged_label(self):
        """Why a grade has no standing, in words: no published target, or a target on another scale."""
        if self.target is not None and self.grade is not None and self.target.scale_id != self.grade.scale_id:
            return "No target on this scale"
        return "No target set"


class Book:
    """What judging needs for one school, loaded once (about three queries), then judged in memory.

    `family=True` never reports a pending target: families see only what is published.
    """

    def __init__(self, school, *, family=False):
        self.school = school
        self.thresholds = Thresholds.of(school)
        self.family = family
        self._gaps = None
        self._values = None
        self._by_id = None
        self._places = None

    @property
    def gaps(self):
        if self._gaps is None:
            self._gaps = {p.subject_id: gaps_of(p) for p in FlightPath.objects.filter(school=self.school)}
        return self._gaps

    def values(self, scale_id):
        """The school's grades on one scale (every scale is loaded in one query, once)."""
        if self._values is None:
            self._values, self._by_id = {}, {}
            # A handful of scales, each built once (select_related would build one per value).
            for value in select_shared(GradeValue.objects.filter(scale__school=self.school), "scale"):
                self._values.setdefault(value.scale_id, []).append(value)
                self._by_id[value.pk] = value
        return self._values.get(scale_id, [])

    def value(self, pk):
        """The GradeValue with this id (None for None), from the values already loaded."""
        if pk is None:
            return None
        self.values(None)
        return self._by_id.get(pk)

    def fill_grades(self, row, *relations):
        """Set `row`'s grade relations (e.g. a target's "grade", "published_grade") from the values already
        loaded instead of a join each; a value on another school's scale is left to load as it would."""
        for relation in relations:
            value = self.value(getattr(row, f"{relation}_id"))
            if value is not None:
                setattr(row, relation, value)
        return row

    def lowest_step(self, scale_id):
        values = self.values(scale_id)
        return min(v.step for v in values) if values else 0

    def place(self, point):
        if self._places is None:
            self._places = _places(AssessmentPoint.objects.filter(school_id=self.school.pk))
        return self._places.get(point.pk)

    def expected(self, point, subject_id, target_grade):
        """(step, GradeValue) expected now at `point` for a published target (None, None without one)."""
        if target_grade is None:
            return None, None
        place = self.place(point)
        gap = 0
        if place is not None:
            gaps = self.gaps.get(subject_id) or DEFAULT_GAPS
            gap = expected_gap(gaps, place.year_number, place.index, place.count)
        step = expected_step(target_grade.step, gap, self.lowest_step(target_grade.scale_id))
        return step, grade_at_step(self.values(target_grade.scale_id), step)

    def judge(self, point, *, current=None, predicted=None, target=None, pupil_id=None, subject_id=None):
        """How the grade entered at `point` stands, against the published `target` (a Target or None)."""
        judged = judged_field(point, current, predicted)
        grade = {CURRENT: current, PREDICTED: predicted}.get(judged)
        target_grade = counting_target(target)
        if target is not None:
            pupil_id = pupil_id or target.pupil_id
            subject_id = subject_id or target.subject_id
        step, expected = self.expected(point, subject_id, target_grade)
        diff = None
        if grade is not None and step is not None and grade.scale_id == target_grade.scale_id:
            diff = grade.step - step
        scale_code = self._scale_code(grade)
        return Standing(
            status=self.thresholds.status(diff),
            diff=diff,
            grade=grade,
            judged=judged,
            target=target_grade,
            expected=expected,
            pending=None if self.family else pending_target(target),
            below_floor=grade is not None and self.thresholds.below_floor(scale_code, grade.step),
            pupil_id=pupil_id,
            subject_id=subject_id,
            point_id=point.pk,
        )

    def judge_entry(self, entry, target, *, current=None, predicted=None):
        """`judge` for a GradeEntry (its own grades unless others are given, e.g. a verified snapshot)."""
        return self.judge(
            entry.point,
            current=entry.current if current is None else current,
            predicted=entry.predicted if predicted is None else predicted,
            target=target,
            pupil_id=entry.pupil_id,
            subject_id=entry.subject_id,
        )

    def _scale_code(self, grade):
        if grade is None:
            return None
        for value in self.values(grade.scale_id):
            return value.scale.code
        return None


@dataclass(frozen=True)
class GradeRef:
    """A grade known only by the values a database row carries (see `from_row`)."""

    code: str
    step: int
    scale_id: int

    def __str__(self):
        return self.code


def from_row(entry):
    """A Standing from a GradeEntry row annotated by `annotate_standing` (for tables counted in SQL)."""
    grade = target = None
    if entry.counting_step is not None:
        grade = GradeRef(entry.counting_code, entry.counting_step, entry.counting_scale)
    if entry.target_step is not None:
        target = GradeRef(getattr(entry, "target_code", ""), entry.target_step, entry.target_scale)
    return Standing(
        status=entry.standing,
        diff=entry.standing_diff,
        grade=grade,
        target=target,
        below_floor=entry.below_floor,
        pupil_id=entry.pupil_id,
        subject_id=entry.subject_id,
        point_id=entry.point_id,
    )
