"""The per-grade reference for movement since the previous point, that the dashboards' one-query join
is held to: a subquery per grade for the grade that counted at the point before (slow on a school, plain
to read). Production code no longer used it once figure_sets and the Data Board joined instead."""

from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast

from tracking import standing
from tracking.models import GradeEntry


def with_movement(entries, previous):
    """Annotate `prev_step`: the grade that counted for the same pupil and subject at the point before."""
    if not previous:
        return entries.annotate(prev_step=Cast(Value(None), IntegerField()))
    prev_point = Case(
        *(When(point_id=after, then=Value(before)) for after, before in previous.items()),
        default=Value(None),
        output_field=IntegerField(),
    )
    earlier = GradeEntry.objects.filter(
        pupil_id=OuterRef("pupil_id"), subject_id=OuterRef("subject_id"), point_id=OuterRef("prev_point")
    ).annotate(step=standing.counting_step_expression())
    return entries.annotate(prev_point=prev_point).annotate(
        prev_step=Subquery(earlier.values("step")[:1], output_field=IntegerField())
    )
