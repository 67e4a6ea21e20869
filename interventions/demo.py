"""Demo flags: Longfield rules run for each year group's latest locked point of the current year,
tied to the demo's tracking cycle for that point; where that cycle has reached its impact
evaluation, the flags are evaluated too so the cycle report shows what happened.

A year group whose first review of the year is not yet verified (Key Stage 3 until its autumn
review is, every year group early in the autumn) still has the flags its pupils' last review
raised: the summer one, in the year group below, run when that review's actions began. Year 7 has
had no review at the school yet, and no flags.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from tracking.models import STAGE_ORDER, AssessmentPoint, Stage

from . import services
from .presets import install_presets


def _latest_reviews(built):
    """{current year group number: the latest locked point of its pupils}, this year's if there is one,
    else last year's in the year group below."""
    points = (
        AssessmentPoint.objects.filter(school=built.school, is_locked=True)
        .select_related("year_group", "school", "academic_year")
        .prefetch_related("cycles")
        .order_by("academic_year__starts_on", "sequence")
    )
    this_year, last_year = {}, {}
    for point in points:
        if point.academic_year_id == built.current_year.pk:
            this_year[point.year_group.number] = point
        elif point.academic_year.starts_on.year == built.current_year.starts_on.year - 1:
            last_year[point.year_group.number + 1] = point
    return {**last_year, **this_year}


def add_demo_flags(sender, built, **kwargs):
    install_presets(built.school, activate="longfield")
    raised = 0
    for point in _latest_reviews(built).values():
        cycle = max(point.cycles.all(), key=lambda c: c.pk, default=None)
        now = None
        if point.academic_year_id != built.current_year.pk:
            # Raised last summer, when that review's actions began, not on the demo's day.
            now = timezone.make_aware(datetime.combine(point.closes_on + timedelta(days=3), time(8, 0)))
        raised += services.rules_run(point=point, cycle_id=cycle.pk if cycle else None, now=now).raised
        if cycle is not None and STAGE_ORDER.index(cycle.stage) >= STAGE_ORDER.index(Stage.EVALUATION):
            services.impact_evaluate(point=point)
    built.counts["flags"] = raised
