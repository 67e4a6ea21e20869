"""The one truth of a grade: which grade and target count, the grade expected now, the standing, complete.

Every page, PDF, rule and report that shows or judges how a pupil stands asks this module; none
re-derives it. Each decision has a Python form for rows already in memory (`Book.judge`,
`row_complete`) and an ORM form for counting in the database (`annotate_standing`,
`standing_counts`, `complete_q`); the tests hold both forms to the same answers.

- Which grade counts at a point: the prediction where the point collects predictions and one was
  entered, else the current grade. `judged_field` says which one was judged, so pages can say so.
- Which target counts: the published one. A proposal, an agreed target, a change request or an
  accepted raise counts once it is published; until then `pending_target` names it for staff.
- The grade expected now: the target less the subject's flight-path gap for the pupil's year at
  that point (the gap shrinks evenly over the year's points; no gap from Year 11's last point on).
  Key Stage 3 and early Key Stage 4 are judged against it, not against the end-of-Year-11 target.
- The standing: above / on / below / well below the grade expected now, in whole grades (5+, 5
  and 5- are one grade), by the school's thresholds; "below the floor" (e.g. under grade 4) by the
  school's floor grade. A grade on another scale than its target (a KS3 scale) has no standing.
- Whether a row is complete: every field its point collects but the comment. A sheet is complete
  when every pupil's row is.
"""

from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Min,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from .models import AssessmentPoint, FlightPath, GradeValue, TargetStatus

ABOVE, ON, BELOW, WELL_BELOW, NONE = "above", "on", "below", "well_below", "none"
STATUSES = (ABOVE, ON, BELOW, WELL_BELOW, NONE)
BELOW_STATUSES = (BELOW, WELL_BELOW)
DEFAULT_LABELS = {
    ABOVE: "Above target",
    ON: "On target",
    BELOW: "Below target",
    WELL_BELOW: "Well below target",
    NONE: "No grade yet",
}
CURRENT, PREDICTED = "current", "predicted"
# Fields a row may collect, in marksheet order; all but the comment must be filled to be complete.
ROW_FIELDS = ("current", "predicted", "security", "effort", "comment")


def attr(status):
    """The value of data-standing: above | on | below | well-below | none."""
    return status.replace("_", "-")


def label(status, school=None):
    """The school's chosen words for a standing (schools choose them: see School.label_*)."""
    if status == NONE or school is None:
        return DEFAULT_LABELS[status]
    return getattr(school, f"label_{status}")


def count_labels(school):
    """Headings for counts of standings, in the school's words and with its thresholds."""
    thresholds = Thresholds.of(school)
    well_below = label(WELL_BELOW, school)
    grades = "grade" if thresholds.well_below_by == 1 else "grades"
    return {
        "on_target": f"{label(ON, school)} or above",
        "well_below": f"{well_below} ({thresholds.well_below_by}+ {grades} under expected)",
        "well_below_short": well_below,
        "below_floor": f"Below grade {thresholds.floor_step}",
    }


@dataclass(frozen=True)
class Thresholds:
    """A school's standing thresholds (School.above_by, below_by, well_below_by, floor_*)."""

    above_by: int = 1
    below_by: int = 1
    well_below_by: int = 2
    floor_scale_code: str = "gcse"
    floor_step: int = 4

    @classmethod
    def of(cls, school):
        if school is None:
            return cls()
        return cls(
            above_by=school.above_by,
            below_by=school.below_by,
            well_below_by=school.well_below_by,
            floor_scale_code=school.floor_scale_code,
            floor_step=school.floor_step,
        )

    def status(self, diff):
        """The standing of a grade `diff` whole grades from the grade expected now (None: none)."""
        if diff is None:
            return NONE
        if diff >= self.above_by:
            return ABOVE
        if diff <= -self.well_below_by:
            return WELL_BELOW
        if diff <= -self.below_by:
            return BELOW
        return ON

    def below_floor(self, scale_code, step):
        return step is not None and scale_code == self.floor_scale_code and step < self.floor_step


# -- which grade counts -----------------------------------------------------------------------


def judged_fields(point):
    """The fields the light may judge at a point, first choice first."""
    return (PREDICTED, CURRENT) if point.collects_predicted else (CURRENT,)


def judged_field(point, current, predicted):
    """ "predicted" or "current": the field whose grade counts at this point (None: neither entered)."""
    values = {CURRENT: current, PREDICTED: predicted}
    for name in judged_fields(point):
        if values[name] not in (None, ""):
            return name
    return None


def counting_grade(point, current, predicted):
    """The grade that counts at a point: the prediction where collected and entered, else current."""
    name = judged_field(point, current, predicted)
    return {CURRENT: current, PREDICTED: predicted}.get(name)


# -- which target counts --------------------------------------------------------------------------


def counting_target(target):
    """The published grade: the only target that counts (None when nothing is published)."""
    if target is None or target.published_grade_id is None:
        return None
    return target.published_grade


def pending_target(target):
    """A grade waiting to replace the published one (proposed, agreed, raised or requested), or None.

    Staff see it labelled as pending; it never counts and families never see it.
    """
    if target is None:
        return None
    if target.status == TargetStatus.CHANGE_REQUESTED and target.requested_grade_id:
        return target.requested_grade
    if target.status != TargetStatus.PUBLISHED and target.grade_id != target.published_grade_id:
        return target.grade
    return None


# -- the grade expected now ----------------------------------------------------------------------

GAP_YEARS = (7, 8, 9, 10)
DEFAULT_GAPS = {year: FlightPath._meta.get_field(f"gap_y{year}").default for year in GAP_YEARS}


def gaps_of(flight_path):
    """{year: whole grades below target expected at the end of that year}; defaults without a path."""
    if flight_path is None:
        return dict(DEFAULT_GAPS)
    return {year: getattr(flight_path, f"gap_y{year}") for year in GAP_YEARS}


def gap_at_end_of(gaps, year_number):
    if year_number >= 11:
        return 0
    if year_number < 7:
        return gaps[7] + 1
    return gaps[year_number]


def expected_gap(gaps, year_number, index, count):
    """Whole grades below target expected at the `index`-th (1-based) of a year's `count` points.

    The gap shrinks evenly from the end of last year to the end of this one, rounded half up. Integer
    arithmetic on non-negative numbers, written the same way in SQL (`_gap_expression`).
    """
    start, end = gap_at_end_of(gaps, year_number - 1), gap_at_end_of(gaps, year_number)
    return (2 * (start * (count - index) + end * index) + count) // (2 * count)


def expected_step(target_step, gap, lowest_step):
    if target_step is None:
        return None
    return max(target_step - gap, lowest_step)


def grade_at_step(values, step):
    """The plain (no + or -) value at a whole-grade step on a scale, clamped to the scale's range."""
    if not values:
        return None
    steps = sorted({v.step for v in values})
    step = min(max(step, steps[0]), steps[-1])
    at_step = sorted((v for v in values if v.step == step), key=lambda v: v.rank)
    if not at_step:
        at_step = sorted(values, key=lambda v: (abs(v.step - step), v.rank))[:1]
    plain = [v for v in at_step if not v.code.endswith(("+", "-"))]
    return (plain or at_step)[len(plain or at_step) // 2]


def end_year(year_number):
    """The year a target is for: the end of Year 11 (Key Stages 3 and 4) or Year 13 (sixth form)."""
    return 11 if year_number <= 11 else 13


@dataclass(frozen=True)
class Place:
    """Where a point sits: the year group's number and its position among that year's points."""

    year_number: int
    index: int
    count: int


def places_of(points):
    """{point id: Place} for every point sharing a year and year group with a point of `points`."""
    pairs = set(points.values_list("academic_year_id", "year_group_id").distinct().order_by())
    if not pairs:
        return {}
    pair_q = Q()
    for year_id, group_id in pairs:
        pair_q |= Q(academic_year_id=year_id, year_group_id=group_id)
    return _places(AssessmentPoint.objects.filter(pair_q))


def _places(points):
    """{point id: Place} for a queryset holding whole years of points (one query)."""
    years = {}
    for pk, year_id, group_id, number, sequence in points.values_list(
        "pk", "academic_year_id", "year_group_id", "year_group__number", "sequence"
    ):
        years.setdefault((year_id, group_id), []).append((sequence, pk, number))
    places = {}
    for rows in years.values():
        rows.sort()
        for index, (_, pk, number) in enumerate(rows, start=1):
            places[pk] = Place(number, index, len(rows))
    return places


# -- the standing ------------------------------------------------------------------------------


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
            for value in GradeValue.objects.filter(scale__school=self.school).select_related("scale"):
                self._values.setdefault(value.scale_id, []).append(value)
                self._by_id[value.pk] = value
        return self._values.get(scale_id, [])

    def value(self, pk):
        """The GradeValue with this id (None for None), from the values already loaded."""
        if pk is None:
            return None
        self.values(None)
        return self._by_id.get(pk)

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


# -- complete ---------------------------------------------------------------------------------------


def required_fields(point):
    """Fields a row needs before it counts as complete: everything the point collects but the comment."""
    return [name for name in ROW_FIELDS if name != "comment" and getattr(point, f"collects_{name}")]


def _filled(value):
    return value not in (None, "")


def row_complete(point, entry):
    """True when a grade entry (or None) has every field its point requires."""
    if entry is None:
        return False
    attrs = {CURRENT: "current_id", PREDICTED: "predicted_id"}
    return all(_filled(getattr(entry, attrs.get(name, name))) for name in required_fields(point))


def filled_q(prefix=""):
    """{field: Q that the field is filled} on GradeEntry rows (reached through `prefix`)."""
    return {
        "current": Q(**{f"{prefix}current__isnull": False}),
        "predicted": Q(**{f"{prefix}predicted__isnull": False}),
        "security": ~Q(**{f"{prefix}security": ""}),
        "effort": Q(**{f"{prefix}effort__isnull": False}),
    }


def complete_q(prefix=""):
    """Q for a complete GradeEntry (reached through `prefix`, e.g. "pupil__grades__")."""
    complete = Q()
    for name, filled in filled_q(prefix).items():
        complete &= Q(**{f"{prefix}point__collects_{name}": False}) | filled
    return complete


# -- the same decisions in SQL ---------------------------------------------------------------------


def _gap_sql(year_number):
    """gap_at_end_of() as an SQL expression on the subject's flight path (the defaults without one)."""
    if year_number >= 11:
        return Value(0)
    number = max(year_number, 7)
    column = Coalesce(
        F(f"subject__flight_path__gap_y{number}"), Value(DEFAULT_GAPS[number]), output_field=IntegerField()
    )
    return column + Value(1) if year_number < 7 else column


def _gap_expression(places):
    """expected_gap() over GradeEntry rows, in SQL: one branch per point, with the point's place (from
    `places`, worked out once by `places_of` so both forms share it) and the subject's flight path."""
    branches = []
    for pk, place in places.items():
        start, end = _gap_sql(place.year_number - 1), _gap_sql(place.year_number)
        count, index = place.count, place.index
        # Both operands are non-negative integers, so SQL's integer division is Python's floor division.
        weighted = Value(2) * (start * Value(count - index) + end * Value(index)) + Value(count)
        gap = weighted / Value(2 * count)
        branches.append(When(point_id=pk, then=gap))
    return Case(*branches, default=Value(0), output_field=IntegerField())


def _lowest_steps():
    """{scale id: its lowest whole-grade step} (a small table: one row per scale)."""
    return dict(
        GradeValue.objects.values("scale_id").annotate(low=Min("step")).values_list("scale_id", "low")
    )


def _use_predicted():
    return Q(point__collects_predicted=True, predicted__isnull=False)


def counting_step_expression():
    """The whole-grade step of the grade that counts, as an ORM expression on GradeEntry rows."""
    return Case(When(_use_predicted(), then=F("predicted__step")), default=F("current__step"))


def annotate_standing(entries, thresholds):
    """GradeEntry rows with the standing worked out in the database, as `Book.judge` works it out.

    Adds: counting_step, counting_code, counting_scale (the grade that counts), target_step, target_code,
    target_rank, target_scale (the published target), expected_step, standing_diff, standing (a status),
    below_floor and is_complete.
    """
    use_predicted = _use_predicted()
    lowest = _lowest_steps()
    lowest_case = Case(
        *(When(target_scale=scale_id, then=Value(step)) for scale_id, step in lowest.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    entries = entries.annotate(
        counting_step=counting_step_expression(),
        counting_code=Case(When(use_predicted, then=F("predicted__code")), default=F("current__code")),
        counting_scale=Case(
            When(use_predicted, then=F("predicted__scale_id")), default=F("current__scale_id")
        ),
        counting_scale_code=Case(
            When(use_predicted, then=F("predicted__scale__code")), default=F("current__scale__code")
        ),
        # The pupil's target in the entry's subject, joined once (targets are unique per pupil and subject).
        counted_target=FilteredRelation("pupil__targets", condition=Q(pupil__targets__subject=F("subject"))),
    ).annotate(
        target_step=F("counted_target__published_grade__step"),
        target_scale=F("counted_target__published_grade__scale_id"),
        target_code=F("counted_target__published_grade__code"),
        target_rank=F("counted_target__published_grade__rank"),
    )
    gap = _gap_expression(places_of(AssessmentPoint.objects.filter(pk__in=entries.values("point_id"))))
    entries = entries.annotate(
        expected_step=Case(
            When(target_step__isnull=True, then=Value(None)),
            default=Greatest(F("target_step") - gap, lowest_case),
            output_field=IntegerField(),
        )
    )
    entries = entries.annotate(
        standing_diff=Case(
            When(counting_scale=F("target_scale"), then=F("counting_step") - F("expected_step")),
            default=Value(None),
            output_field=IntegerField(),
        )
    )
    return entries.annotate(
        standing=Case(
            When(standing_diff__isnull=True, then=Value(NONE)),
            When(standing_diff__gte=thresholds.above_by, then=Value(ABOVE)),
            When(standing_diff__lte=-thresholds.well_below_by, then=Value(WELL_BELOW)),
            When(standing_diff__lte=-thresholds.below_by, then=Value(BELOW)),
            default=Value(ON),
            output_field=CharField(),
        ),
        below_floor=Case(
            When(
                counting_scale_code=thresholds.floor_scale_code,
                counting_step__lt=thresholds.floor_step,
                then=Value(True),
            ),
            default=Value(False),
        ),
        is_complete=Case(When(complete_q(), then=Value(True)), default=Value(False)),
    )


COUNTERS = ("graded", "with_target", *STATUSES, "below_floor", "complete")


def standing_counts(entries, thresholds, by=()):
    """Counts over GradeEntry rows, grouped in the database by the fields named in `by`.

    Returns {graded, with_target, above, on, below, well_below, none, below_floor, complete} when `by`
    is empty, else {tuple of the `by` values: that dict}.
    """
    rows = (
        annotate_standing(entries, thresholds)
        .annotate(
            is_graded=Case(When(counting_step__isnull=False, then=Value(True)), default=Value(False)),
            has_target=Case(When(target_step__isnull=False, then=Value(True)), default=Value(False)),
        )
        .values(*by, "standing", "is_graded", "has_target", "below_floor", "is_complete")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out = {}
    for row in rows:
        counts = out.setdefault(tuple(row[name] for name in by), dict.fromkeys(COUNTERS, 0))
        n = row["n"]
        counts[row["standing"]] += n
        counts["graded"] += n if row["is_graded"] else 0
        counts["with_target"] += n if row["is_graded"] and row["has_target"] else 0
        counts["below_floor"] += n if row["below_floor"] else 0
        counts["complete"] += n if row["is_complete"] else 0
    if not by:
        return out.get((), dict.fromkeys(COUNTERS, 0))
    return out
