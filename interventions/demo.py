"""Demo flags: Longfield rules run for each year group's latest locked point of the current year."""

from tracking.models import AssessmentPoint

from . import services
from .presets import install_presets


def add_demo_flags(sender, built, **kwargs):
    install_presets(built.school, activate="longfield")
    points = AssessmentPoint.objects.filter(
        school=built.school, academic_year=built.current_year, is_locked=True
    ).select_related("year_group", "school")
    latest = {}
    for point in points.order_by("sequence"):
        latest[point.year_group_id] = point
    raised = 0
    for point in latest.values():
        raised += services.rules_run(point=point).raised
    built.counts["flags"] = raised
