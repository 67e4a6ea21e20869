"""The plans section of the pupil page (registered with tracking.school.pupil_sections)."""

from tracking import permissions

from . import access, queries, warnings

TEMPLATE = "interventions/plans/_pupil_plans.html"


def pupil_section(user, pupil):
    """Plans this user may see for the pupil, with warnings; None when there are none to show."""
    if not permissions.is_staff_member(user):
        return None
    plans = list(queries.plan_list(access.plans_visible_to(user).filter(pupil=pupil)))
    if not plans:
        return None
    return {"plans": plans, "plan_warnings": warnings.for_pupil(pupil)}
