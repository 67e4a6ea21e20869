"""Who may request, allocate, take registers, follow up absences and print timetables.

Built on tracking.permissions. The assistant SENCo (role SENCo) and SLT allocate; a session's leader,
the SENCos and SLT take its register; SLT and a pupil's mentor follow up absences; a form's
timetable is for whoever may see the form (its tutor, head of year, KS coordinator, whole school).
"""

from django.http import Http404

from tracking import permissions
from tracking.models import FormGroup, Role

from .models import Session


def can_request(user):
    return permissions.is_staff_member(user)


def can_allocate(user):
    return permissions.has_role(user, Role.SENCO) or permissions.is_slt(user)


def sessions_visible_to(user):
    access = permissions.access_for(user)
    if not access.is_staff_member:
        return Session.objects.none()
    return Session.objects.filter(school_id__in=access.school_ids)


def can_take_register(user, session):
    access = permissions.access_for(user)
    if session.school_id not in access.school_ids or not access.is_staff_member:
        return False
    return can_allocate(user) or (access.staff is not None and session.leader_id == access.staff.pk)


def get_register_session_or_404(user, pk):
    try:
        session = sessions_visible_to(user).select_related("subject", "leader__user", "school").get(pk=pk)
    except (Session.DoesNotExist, ValueError):
        raise Http404("No such session") from None
    permissions.require(can_take_register(user, session))
    return session


def follow_up_pupils(user):
    """Whose absences a user follows up: SLT every pupil, a mentor their mentees."""
    access = permissions.access_for(user)
    if not access.is_staff_member:
        return None
    if permissions.is_slt(user):
        return permissions.pupils_visible_to(user)
    if Role.MENTOR in access.roles:
        return permissions.pupils_visible_to(user).filter(pk__in=_mentees(access))
    return None


def _mentees(access):
    from mentoring.models import MentorAssignment  # mentoring knows who mentors whom

    return MentorAssignment.objects.filter(mentor=access.staff, academic_year__is_current=True).values(
        "pupil_id"
    )


def can_follow_up(user):
    return follow_up_pupils(user) is not None


def get_form_or_404(user, pk):
    try:
        return permissions.forms_visible_to(user).select_related("year_group", "school").get(pk=pk)
    except (FormGroup.DoesNotExist, ValueError):
        raise Http404("No such form") from None
