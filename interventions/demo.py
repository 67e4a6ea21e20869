"""Demo flags: Longfield rules run for each year group's latest locked point of the current year,
tied to the demo's tracking cycle for that point; where that cycle has reached its impact
evaluation, the flags are evaluated too so the cycle report shows what happened."""

from tracking.models import STAGE_ORDER, AssessmentPoint, Stage

from . import services
from .presets import install_presets


def add_demo_flags(sender, built, **kwargs):
    install_presets(built.school, activate="longfield")
    points = (
        AssessmentPoint.objects.filter(school=built.school, academic_year=built.current_year, is_locked=True)
        .select_related("year_group", "school")
        .prefetch_related("cycles")
    )
    latest = {}
    for point in points.order_by("sequence"):
        latest[point.year_group_id] = point
    raised = 0
    for point in latest.values():
        cycle = max(point.cycles.all(), key=lambda c: c.pk, default=None)
        raised += services.rules_run(point=point, cycle_id=cycle.pk if cycle else None).raised
        if cycle is not None and STAGE_ORDER.index(cycle.stage) >= STAGE_ORDER.index(Stage.EVALUATION):
            services.impact_evaluate(point=point)
    built.counts["flags"] = raised
