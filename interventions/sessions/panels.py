"""Sessions on the pupil page (staff and families) and on the home page (tutors, SENCo, follow-ups)."""

from django.utils import timezone

from tracking import permissions
from tracking.models import Role

from . import access, queries

PUPIL_TEMPLATE = "interventions/sessions/_pupil_sessions.html"


def pupil_section(user, pupil):
    """This week's intervention timetable and reward points: for staff and the pupil's family."""
    week = queries.monday_of(timezone.localdate())
    rows = queries.timetable_rows([pupil], week).get(pupil.pk, [])
    reward = queries.reward_for(pupil)
    if not rows and not reward["points"] and not permissions.is_staff_member(user):
        return None
    return {"week": week, "rows": rows, "reward": reward}


def tutors_a_form(user):
    return permissions.has_role(user, Role.FORM_TUTOR) and not permissions.is_whole_school(user)


def tutor_timetables(user):
    staff = permissions.access_for(user).staff
    forms = permissions.forms_visible_to(user).filter(tutors=staff).select_related("year_group")
    return {"forms": list(forms), "week": queries.monday_of(timezone.localdate())}


def has_follow_ups(user):
    # Whether there are any is known from the panel's own count (None: no panel).
    return access.follow_up_pupils(user) is not None


def follow_up_panel(user):
    found = queries.follow_ups(access.follow_up_pupils(user))
    count = found.count()
    if not count:
        return None
    # The panel names the pupil and the session only: the list page's four other joins cost PostgreSQL
    # 15-30 ms of planning for five rows.
    top = found.select_related(None).select_related("pupil", "session")[:5]
    return {"count": count, "top": list(top)}
