"""Thin Celery adapters: primary keys in, a service call, idempotent (re-runs raise nothing twice)."""

from celery import shared_task

from tracking.lib.queue import register_task_school
from tracking.models import AssessmentPoint

from . import queries, services


@shared_task(name="interventions.tasks.run_rules_for_point", acks_late=True)
def run_rules_for_point(point_id, cycle_id=None):
    point = AssessmentPoint.objects.select_related("year_group").filter(pk=point_id).first()
    if point is None:
        return None
    result = services.rules_run(point=point, cycle_id=cycle_id)
    return {"pupils": result.pupils, "raised": result.raised, "updated": result.updated}


@shared_task(name="interventions.tasks.evaluate_impact_for_point", acks_late=True)
def evaluate_impact_for_point(point_id):
    """The point's own flags, and earlier points' flags that were waiting for this point to lock."""
    point = AssessmentPoint.objects.select_related("academic_year", "year_group").filter(pk=point_id).first()
    if point is None:
        return None
    for earlier in queries.points_waiting_for(point):
        services.impact_evaluate(point=earlier)
    return services.impact_evaluate(point=point)


@register_task_school("interventions.tasks.run_rules_for_point")
@register_task_school("interventions.tasks.evaluate_impact_for_point")
def _point_school(args, kwargs):
    """A failed rules or impact run belongs to its point's school (the failed-task page)."""
    point_id = args[0] if args else kwargs.get("point_id")
    return AssessmentPoint.objects.filter(pk=point_id).values_list("school_id", flat=True).first()
