"""The same decisions in the database: ORM expressions (`annotate_standing`) for querysets and pages of
rows, and SQL (`standing_sql`) for counting a school's grades in one pass."""

from django.db import connections
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

from tracking.models import AssessmentPoint, GradeValue

from .complete import complete_q
from .expected import DEFAULT_GAPS, GAP_YEARS, places_of
from .statuses import ABOVE, BELOW, NONE, ON, STATUSES, WELL_BELOW


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
    """expected_gap() over GradeEntry rows, in SQL: one branch per place a point may have (points with the
    same place, e.g. the same point in two academic years, share one), from `places` (worked out once by
    `places_of` so both forms share it) and the subject's flight path."""
    points = {}
    for pk, place in places.items():
        points.setdefault(place, []).append(pk)
    branches = []
    for place, pks in points.items():
        start, end = _gap_sql(place.year_number - 1), _gap_sql(place.year_number)
        count, index = place.count, place.index
        # Both operands are non-negative integers, so SQL's integer division is Python's floor division.
        weighted = Value(2) * (start * Value(count - index) + end * Value(index)) + Value(count)
        gap = weighted / Value(2 * count)
        branches.append(When(point_id__in=sorted(pks), then=gap))
    return Case(*branches, default=Value(0), output_field=IntegerField())


def _lowest_expression(scales):
    """The lowest whole-grade step on the published target's scale (0 without a target); `scales` is
    `_scales()`."""
    return Case(
        *(When(target_scale=scale_id, then=Value(low)) for scale_id, (_code, low) in scales.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def _use_predicted():
    return Q(point__collects_predicted=True, predicted__isnull=False)


def counting_step_expression():
    """The whole-grade step of the grade that counts, as an ORM expression on GradeEntry rows."""
    return Case(When(_use_predicted(), then=F("predicted__step")), default=F("current__step"))


def counting_scale_expression():
    """The scale of the grade that counts (its id), as an ORM expression on GradeEntry rows."""
    return Case(When(_use_predicted(), then=F("predicted__scale_id")), default=F("current__scale_id"))


def _counted_target():
    """The pupil's target in the entry's subject, joined once (targets are unique per pupil and subject)."""
    return FilteredRelation("pupil__targets", condition=Q(pupil__targets__subject=F("subject")))


def _pieces(entries, scales):
    """`entries` annotated with what a standing is worked out from: the grade that counts (counting_step,
    counting_code, counting_scale, counting_scale_code) and the published target (target_step,
    target_scale, target_code, target_rank), each one expression on joined columns. `scales` is
    `_scales()`: the scale's code is named from its id rather than joined (two joins fewer for the
    database to plan around)."""
    use_predicted = _use_predicted()
    counting_scale = Case(When(use_predicted, then=F("predicted__scale_id")), default=F("current__scale_id"))
    return entries.annotate(
        counting_step=counting_step_expression(),
        counting_code=Case(When(use_predicted, then=F("predicted__code")), default=F("current__code")),
        counting_scale=counting_scale,
        counting_scale_code=Case(
            *(When(counting_scale=pk, then=Value(code)) for pk, (code, _low) in scales.items()),
            default=Value(None),
            output_field=CharField(),
        ),
        counted_target=_counted_target(),
    ).annotate(
        target_step=F("counted_target__published_grade__step"),
        target_scale=F("counted_target__published_grade__scale_id"),
        target_code=F("counted_target__published_grade__code"),
        target_rank=F("counted_target__published_grade__rank"),
    )


def _gap_of(entries, points=None):
    if points is None:
        return _gap_expression(places_of(AssessmentPoint.objects.filter(pk__in=entries.values("point_id"))))
    # Only the points the entries are at need a branch of the gap's CASE: the database plans the whole
    # expression wherever a later annotation repeats it.
    wanted = {point.pk for point in points}
    return _gap_expression({pk: place for pk, place in places_of(points).items() if pk in wanted})


def annotate_standing(entries, thresholds, points=None):
    """GradeEntry rows with the standing worked out in the database, as `Book.judge` works it out.

    Adds: counting_step, counting_code, counting_scale (the grade that counts), target_step, target_code,
    target_rank, target_scale (the published target), expected_step, standing_diff, standing (a status),
    below_floor and is_complete. `points`, when given, are the points the entries are at (or more),
    already loaded: it saves looking them up through the entries.

    Django writes each annotation out in full wherever a later one names it, so the standing repeats
    the whole difference and gap several times over. Fine for a page of rows; to count a school's
    grades, use `standing_sql`, which works each piece out once.
    """
    scales = _scales()
    gap, lowest = _gap_of(entries, points), _lowest_expression(scales)
    entries = _pieces(entries, scales)
    entries = entries.annotate(
        expected_step=Case(
            When(target_step__isnull=True, then=Value(None)),
            default=Greatest(F("target_step") - gap, lowest),
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
                counting_scale__in=[
                    pk for pk, (code, _low) in scales.items() if code == thresholds.floor_scale_code
                ],
                counting_step__lt=thresholds.floor_step,
                then=Value(True),
            ),
            default=Value(False),
        ),
        is_complete=_is_complete(),
    )


def _is_complete():
    return Case(When(complete_q(), then=Value(True)), default=Value(False))


def _gap_at_end_text(year_number):
    """gap_at_end_of() in SQL on the inner query's flight-path columns (gap_y7 ... gap_y10)."""
    if year_number >= 11:
        return "0"
    column = f"g.gap_y{max(year_number, 7)}"
    return f"({column} + 1)" if year_number < 7 else column


def _gap_sql_text(places):
    """expected_gap() in SQL, as `_gap_expression` writes it for the ORM: one branch per place."""
    points = {}
    for pk, place in places.items():
        points.setdefault(place, []).append(pk)
    branches = []
    for place, pks in points.items():
        start, end = _gap_at_end_text(place.year_number - 1), _gap_at_end_text(place.year_number)
        count, index = place.count, place.index
        ids = ", ".join(str(int(pk)) for pk in sorted(pks))
        branches.append(
            f"WHEN g.point_id IN ({ids}) THEN "
            f"(2 * ({start} * {count - index} + {end} * {index}) + {count}) / {2 * count}"
        )
    return f"(CASE {' '.join(branches)} ELSE 0 END)" if branches else "0"


def _scales():
    """{scale id: (its code, its lowest whole-grade step)} (a small table: one row per scale)."""
    rows = GradeValue.objects.values("scale_id", "scale__code").annotate(low=Min("step")).order_by()
    return {row["scale_id"]: (row["scale__code"], row["low"]) for row in rows}


# The columns of every `standing_sql` row besides the ones a caller asks for.
SQL_COLUMNS = (
    "id",
    "pupil_id",
    "subject_id",
    "point_id",
    "counting_step",
    "counting_scale",
    "target_step",
    "target_scale",
    "on_floor_scale",
    "expected_step",
    "standing_diff",
    "standing",
    "below_floor",
)


def standing_sql(entries, thresholds, fields=(), points=None, **expressions):
    """(sql, params) of a SELECT with one row per GradeEntry of `entries`: the columns in SQL_COLUMNS
    (on_floor_scale, whether the grade that counts is on the floor grade's scale, and below_floor are
    booleans, 1 and 0 on SQLite), the GradeEntry `fields` and the `expressions` (name: ORM expression,
    which may name counting_step, counting_scale, target_step or target_scale) a caller asks for, and
    working columns (gap_y7 ... gap_y10, gap, lowest). `points`, when given, are the points the entries
    are at (or more), already loaded: it saves looking them up through the entries.

    The form for counting many grades: an inner query works out each piece once (the grade that counts,
    the target, the subject's flight path), fenced so the database does not fold it into the outer ones,
    and outer queries work out the expected step, the difference and the standing from those columns.
    The same decisions as `annotate_standing`, held to the same answers by the tests.
    """
    if points is None:
        places = places_of(AssessmentPoint.objects.filter(pk__in=entries.values("point_id")))
    else:
        # Only the points the entries are at need a branch of the gap's CASE (each row tries them in turn).
        wanted = {point.pk for point in points}
        places = {pk: place for pk, place in places_of(points).items() if pk in wanted}
    flight_path = {
        f"gap_y{year}": Coalesce(
            F(f"subject__flight_path__gap_y{year}"), Value(DEFAULT_GAPS[year]), output_field=IntegerField()
        )
        for year in GAP_YEARS
    }
    use_predicted = _use_predicted()
    inner = (
        entries.annotate(
            counting_step=counting_step_expression(),
            counting_scale=Case(
                When(use_predicted, then=F("predicted__scale_id")), default=F("current__scale_id")
            ),
            counted_target=_counted_target(),
        )
        .annotate(
            target_step=F("counted_target__published_grade__step"),
            target_scale=F("counted_target__published_grade__scale_id"),
            **flight_path,
        )
        .annotate(**expressions)
        .values(*dict.fromkeys((*SQL_COLUMNS[:8], *fields, *flight_path, *expressions)))
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    vendor = connections[entries.db].vendor
    # OFFSET 0 keeps PostgreSQL (and SQLite, which needs a LIMIT with it) from inlining a layer's
    # expressions into the next: each layer's columns are worked out once per row.
    fence = " OFFSET 0" if vendor == "postgresql" else " LIMIT -1 OFFSET 0"
    greatest = "GREATEST" if vendor == "postgresql" else "MAX"  # both arguments are never NULL here
    scales = _scales()
    lowest = " ".join(f"WHEN {int(pk)} THEN {int(low)}" for pk, (_code, low) in scales.items())
    lowest = f"(CASE g.target_scale {lowest} ELSE 0 END)" if lowest else "0"
    floor = [int(pk) for pk, (code, _low) in scales.items() if code == thresholds.floor_scale_code]
    on_floor = f"g.counting_scale IN ({', '.join(map(str, floor))})" if floor else "1 = 0"
    gap = _gap_sql_text(places)
    status = (
        f"CASE WHEN d.standing_diff IS NULL THEN '{NONE}' WHEN d.standing_diff >= %s THEN '{ABOVE}' "
        f"WHEN d.standing_diff <= %s THEN '{WELL_BELOW}' WHEN d.standing_diff <= %s THEN '{BELOW}' "
        f"ELSE '{ON}' END"
    )
    sql = (
        f"SELECT d.*, {status} AS standing, "
        "CASE WHEN d.on_floor_scale AND d.counting_step < %s THEN TRUE ELSE FALSE END AS below_floor FROM ("
        "SELECT e.*, CASE WHEN e.counting_scale = e.target_scale THEN e.counting_step - e.expected_step END "
        "AS standing_diff FROM ("
        f"SELECT g.*, CASE WHEN {on_floor} THEN TRUE ELSE FALSE END AS on_floor_scale, "
        f"CASE WHEN g.target_step IS NOT NULL THEN {greatest}(g.target_step - {gap}, {lowest}) END "
        f"AS expected_step FROM ({sql}{fence}) g{fence}) e{fence}) d"
    )
    params = (
        thresholds.above_by,
        -thresholds.well_below_by,
        -thresholds.below_by,
        thresholds.floor_step,
        *params,
    )
    return sql, params


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
