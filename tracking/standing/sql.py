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

from tracking.models import AssessmentPoint, FlightPath, GradeValue

from .complete import complete_q
from .expected import DEFAULT_GAPS, places_of
from .judge import GradeRef, Standing
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


def counting_grade_expression(points=None):
    """The id of the grade value that counts, as an ORM expression on GradeEntry rows. With `points` (the
    points the rows are at, loaded) chosen by the point's id, joining nothing; else through the point."""
    if points is None:
        return Case(When(_use_predicted(), then=F("predicted_id")), default=F("current_id"))
    predicting = sorted(point.pk for point in points if point.collects_predicted)
    if not predicting:
        return F("current_id")
    predicted = When(point_id__in=predicting, predicted__isnull=False, then=F("predicted_id"))
    return Case(predicted, default=F("current_id"))


def counting_grade_sql(entry, point):
    """`counting_grade_expression()` as SQL text, for a query that joins a GradeEntry as `entry` and its
    AssessmentPoint as `point` itself (held to the ORM form by the tests)."""
    return (
        f"CASE WHEN {point}.collects_predicted AND {entry}.predicted_id IS NOT NULL "
        f"THEN {entry}.predicted_id ELSE {entry}.current_id END"
    )


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
    """gap_at_end_of() in SQL on the subject's flight path, joined as `fp` (the defaults without one)."""
    if year_number >= 11:
        return "0"
    number = max(year_number, 7)
    column = f"COALESCE(fp.gap_y{number}, {int(DEFAULT_GAPS[number])})"
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


# A lookup by id written as an array is at most this long (ids are dense in practice; past it, a CASE).
LOOKUP_SPAN = 5000


class GradeTable:
    """Every grade value's whole-grade step, scale and scale's lowest step, by id (one query), written
    into SQL as lookups by id: a query counting many grades joins no grade table for them. On
    PostgreSQL a lookup is an array subscript; elsewhere (SQLite) a CASE on the id."""

    def __init__(self, vendor):
        self.vendor = vendor
        self.steps, self.scales, self.codes, codes = {}, {}, {}, {}
        rows = GradeValue.objects.values_list("pk", "scale_id", "scale__code", "step", "code")
        for pk, scale_id, scale_code, step, code in rows:
            self.steps[pk], self.scales[pk], self.codes[pk] = step, scale_id, code
            codes[scale_id] = scale_code
        lows = {}
        for pk, scale_id in self.scales.items():
            lows[scale_id] = min(lows.get(scale_id, self.steps[pk]), self.steps[pk])
        self.lowest = {pk: lows[scale_id] for pk, scale_id in self.scales.items()}
        self.scale_codes = {scale_id: (code, lows[scale_id]) for scale_id, code in codes.items()}

    def step(self, column):
        return self._lookup(column, self.steps)

    def scale(self, column):
        return self._lookup(column, self.scales)

    def lowest_step(self, column):
        """The lowest whole-grade step on the scale of the grade in `column`."""
        return self._lookup(column, self.lowest)

    def _lookup(self, column, values):
        """`values[column]` in SQL (NULL for a NULL or unknown id); the values are integers."""
        if not values:
            return "CAST(NULL AS INTEGER)"
        low, high = min(values), max(values)
        if self.vendor == "postgresql" and high - low < LOOKUP_SPAN:
            items = ",".join(str(int(values[pk])) if pk in values else "NULL" for pk in range(low, high + 1))
            return f"('[{int(low)}:{int(high)}]={{{items}}}'::bigint[])[{column}]"
        return f"({_search(column, sorted(values.items()))})"


def _search(column, items):
    """A CASE finding `column` among (id, value) `items` (sorted by id) by halves: a few comparisons per
    row rather than one per grade value (SQLite tries a CASE's branches in turn)."""
    if len(items) <= 4:
        return f"CASE {column} {' '.join(f'WHEN {int(pk)} THEN {int(value)}' for pk, value in items)} END"
    middle = len(items) // 2
    low, high = _search(column, items[:middle]), _search(column, items[middle:])
    return f"CASE WHEN {column} < {int(items[middle][0])} THEN {low} ELSE {high} END"


def status_sql(diff, thresholds):
    """(SQL, params): the standing of the whole-grade difference in the column `diff`, by the school's
    thresholds, as `Thresholds.status` decides it (held to it by the tests)."""
    sql = (
        f"CASE WHEN {diff} IS NULL THEN '{NONE}' WHEN {diff} >= %s THEN '{ABOVE}' "
        f"WHEN {diff} <= %s THEN '{WELL_BELOW}' WHEN {diff} <= %s THEN '{BELOW}' ELSE '{ON}' END"
    )
    return sql, (thresholds.above_by, -thresholds.well_below_by, -thresholds.below_by)


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


def standing_sql(entries, thresholds, fields=(), points=None, grades=None, grouped=False, **expressions):
    """(sql, params) of a SELECT with one row per GradeEntry of `entries`: the columns in SQL_COLUMNS
    (on_floor_scale, whether the grade that counts is on the floor grade's scale, and below_floor are
    booleans, 1 and 0 on SQLite), the GradeEntry `fields` and the `expressions` (name: ORM expression
    on GradeEntry rows) a caller asks for, and working columns (counting_grade and target_grade, the
    grade values' ids). `points`, when given, are the points the entries are at (or more), already
    loaded: it saves a query. `grades`, a `GradeTable` the caller has read already, saves another.

    The form for counting many grades. Each grade row is joined only to what it needs from other rows
    (the pupil, for the entries' own filters, and the pupil's target in the subject); which grade
    counts is chosen by the point's id (the points that collect predictions are known), the grades'
    steps and scales are looked up by id (`GradeTable`), the flight path joined by subject. An inner
    query picks the two grades, fenced so the database does not fold it into the outer one, which
    works out the expected step, the difference and the standing. The same decisions as
    `annotate_standing`, held to the same answers by the tests.

    `grouped`: one row per combination of what a standing is worked out from (the point, the subject,
    the grade that counts and the published target) and of the caller's `fields` and `expressions`,
    with `n`, how many grades share it, in place of the grades' id and pupil_id: every grade of a
    combination has the same standing, so counting a year's grades works out a few thousand standings
    rather than one per grade.
    """
    vendor = connections[entries.db].vendor
    if points is None:
        points = list(AssessmentPoint.objects.filter(pk__in=entries.values("point_id")))
    # Only the points the entries are at need a branch of the gap's CASE (each row tries them in turn).
    wanted = {point.pk for point in points}
    places = {pk: place for pk, place in places_of(points).items() if pk in wanted}
    grades = grades or GradeTable(vendor)
    inner = (
        entries.annotate(counting_grade=counting_grade_expression(points), counted_target=_counted_target())
        .annotate(target_grade=F("counted_target__published_grade_id"))
        .annotate(**expressions)
    )
    keys = ("counting_grade", "target_grade", *fields, *expressions)
    if grouped:
        inner = inner.values(*dict.fromkeys(("subject_id", "point_id", *keys))).annotate(n=Count("pk"))
    else:
        inner = inner.values(*dict.fromkeys((*SQL_COLUMNS[:4], *keys)))
    inner = inner.order_by()
    sql, params = inner.query.sql_with_params()
    # OFFSET 0 keeps PostgreSQL (and SQLite, which needs a LIMIT with it) from inlining a layer's
    # expressions into the next: each layer's columns are worked out once per row.
    fence = " OFFSET 0" if vendor == "postgresql" else " LIMIT -1 OFFSET 0"
    greatest = "GREATEST" if vendor == "postgresql" else "MAX"  # both arguments are never NULL here
    floor = [pk for pk, (code, _low) in grades.scale_codes.items() if code == thresholds.floor_scale_code]
    counting_step, counting_scale = grades.step("g.counting_grade"), grades.scale("g.counting_grade")
    target_step, target_scale = grades.step("g.target_grade"), grades.scale("g.target_grade")
    on_floor = f"{counting_scale} IN ({', '.join(str(int(pk)) for pk in floor)})" if floor else "1 = 0"
    expected = (
        f"CASE WHEN g.target_grade IS NOT NULL THEN "
        f"{greatest}({target_step} - {_gap_sql_text(places)}, {grades.lowest_step('g.target_grade')}) END"
    )
    status, status_params = status_sql("d.standing_diff", thresholds)
    sql = (
        f"SELECT d.*, {status} AS standing, "
        "CASE WHEN d.on_floor_scale AND d.counting_step < %s THEN TRUE ELSE FALSE END AS below_floor FROM ("
        "SELECT e.*, CASE WHEN e.counting_scale = e.target_scale THEN e.counting_step - e.expected_step END "
        "AS standing_diff FROM ("
        f"SELECT g.*, {counting_step} AS counting_step, {counting_scale} AS counting_scale, "
        f"{target_step} AS target_step, {target_scale} AS target_scale, "
        f"CASE WHEN {on_floor} THEN TRUE ELSE FALSE END AS on_floor_scale, {expected} AS expected_step "
        f"FROM ({sql}{fence}) g LEFT JOIN {FlightPath._meta.db_table} fp ON fp.subject_id = g.subject_id"
        f"{fence}) e{fence}) d"
    )
    return sql, (*status_params, thresholds.floor_step, *params)


def standings_of(entries, thresholds, fields=(), points=None):
    """[(Standing, {field: value})] for each GradeEntry of `entries`, judged in the database by
    `standing_sql` (its grades and target are `GradeRef`s): for a page of many grades' standings. Three
    queries with `points` (the points the entries are at, loaded), else four."""
    connection = connections[entries.db]
    grades = GradeTable(connection.vendor)
    sql, params = standing_sql(entries, thresholds, fields=fields, points=points, grades=grades)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor]
    out = []
    for row in rows:
        grade = target = None
        if row["counting_step"] is not None:
            grade = GradeRef(grades.codes[row["counting_grade"]], row["counting_step"], row["counting_scale"])
        if row["target_step"] is not None:
            target = GradeRef(grades.codes[row["target_grade"]], row["target_step"], row["target_scale"])
        result = Standing(
            status=row["standing"],
            diff=row["standing_diff"],
            grade=grade,
            target=target,
            below_floor=bool(row["below_floor"]),
            pupil_id=row["pupil_id"],
            subject_id=row["subject_id"],
            point_id=row["point_id"],
        )
        out.append((result, {name: row[name] for name in fields}))
    return out


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
