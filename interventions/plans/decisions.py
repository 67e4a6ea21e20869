"""The plans queue on SLT's decisions-waiting panel: plans stepped up to level 3 and still active."""

from django.urls import reverse

from tracking import permissions
from tracking.dashboards import decisions

from .access import plans_visible_to
from .models import PlanStatus


def level_three_plans(user):
    return plans_visible_to(user).filter(level=3, status=PlanStatus.ACTIVE)


def register():
    decisions.register(
        "plans_level_3",
        "Active plans at level 3",
        allowed=permissions.is_slt,
        rows=level_three_plans,
        url=lambda user: reverse("interventions:plan_list") + "?level=3&status=active",
        order=40,
    )
