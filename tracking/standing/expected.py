"""The grade expected now: the target less the subject's flight-path gap for the pupil's year and point."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tracking.models import AssessmentPoint, FlightPath

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
    """{point id: Place} for every point sharing a year and year group with a point of `points` (a
    queryset, or points already loaded: then one query)."""
    if isinstance(points, QuerySet):
        pairs = set(points.values_list("academic_year_id", "year_group_id").distinct().order_by())
    else:
        pairs = {(point.academic_year_id, point.year_group_id) for point in points}
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
