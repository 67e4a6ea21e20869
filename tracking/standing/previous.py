"""Which assessment point comes before another for the same pupils: what movement ("up" and "down" since
the point before) is counted against, on the dashboards, the Data Board and the health checks alike."""

from tracking.models import AssessmentPoint


def previous_points(points):
    """{point id: the point before it for the same pupils}: the year group's point before in the same
    academic year; for a year's first point, the last point of the year before, when the same pupils
    were a year group younger. Points with nothing before them are left out. One query."""
    if not points:
        return {}
    every = list(
        AssessmentPoint.objects.filter(school_id__in={p.school_id for p in points})
        .select_related("academic_year", "year_group")
        .order_by("academic_year__starts_on", "sequence")
    )
    loaded = {p.pk: p for p in every}
    result = {}
    for point in (loaded[p.pk] for p in points if p.pk in loaded):
        earlier = [
            p
            for p in every
            if p.school_id == point.school_id
            and (
                (p.academic_year_id == point.academic_year_id and p.year_group_id == point.year_group_id)
                and p.sequence < point.sequence
                or p.academic_year.starts_on < point.academic_year.starts_on
                and p.year_group.number == point.year_group.number - 1
            )
        ]
        if earlier:
            # The same year's points come after every earlier year's in `every`'s order.
            result[point.pk] = earlier[-1].pk
    return result
