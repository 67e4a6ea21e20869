"""Open flags and active plans as reasons a tutor should talk to a pupil (tracking.dashboards.concerns)."""

from .models import Flag, FlagStatus
from .plans.models import Plan, PlanStatus


def open_flags(pupil_ids, school):
    """One reason per pupil with flags still open or actioned: how many, and in which subjects (one query)."""
    flags = {}
    for pupil_id, subject in (
        Flag.objects.filter(
            school=school, pupil_id__in=pupil_ids, status__in=[FlagStatus.OPEN, FlagStatus.ACTIONED]
        )
        .values_list("pupil_id", "subject__name")
        .order_by("pupil_id", "subject__name")
    ):
        flags.setdefault(pupil_id, []).append(subject or "across subjects")
    for pupil_id, subjects in flags.items():
        named = ", ".join(dict.fromkeys(subjects))
        yield pupil_id, f"{len(subjects)} open flag{'s' if len(subjects) != 1 else ''} ({named})"


def active_plans(pupil_ids, school):
    """One reason per active intervention plan, with its level and whose plan it is (one query)."""
    for pupil_id, level, tier in (
        Plan.objects.filter(school=school, pupil_id__in=pupil_ids, status=PlanStatus.ACTIVE)
        .values_list("pupil_id", "level", "tier")
        .order_by("pupil_id", "-level")
    ):
        yield pupil_id, f"Intervention plan at level {level} ({Plan(tier=tier).get_tier_display().lower()})"
