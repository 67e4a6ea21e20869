"""Who may do what with the Academic RAG. Built on tracking.permissions; every RAG view asks here.

SLT (and the data manager) run the windows, review every comment and create actions. Teachers rate
the mentored pupils they teach. Heads of department see actions that concern their department;
mentors see their mentees' actions and ratings; an action's owner sees it and updates its status.
"""

from django.db.models import Q
from django.http import Http404

from tracking import permissions
from tracking.models import Role

from ..models import MentorAssignment, RagAction, RagWindow


def can_run_rag(user):
    """Open windows, move their dates, review comments and create actions: SLT and the data manager."""
    return permissions.can_allocate_mentors(user)


def can_rate(user):
    return permissions.can_send_mentoring_slips(user)


def can_see_rag(user):
    access = permissions.access_for(user)
    return (
        can_run_rag(user)
        or can_rate(user)
        or permissions.can_mentor(user)
        or (access.staff is not None and Role.HEAD_OF_DEPARTMENT in access.roles)
    )


def can_see_actions(user):
    """The actions list: SLT and the data manager, heads of department and mentors."""
    access = permissions.access_for(user)
    return can_run_rag(user) or (
        access.staff is not None and bool(access.roles & {Role.HEAD_OF_DEPARTMENT, Role.MENTOR})
    )


def windows_visible_to(user):
    access = permissions.access_for(user)
    if not can_see_rag(user):
        return RagWindow.objects.none()
    return RagWindow.objects.filter(school_id__in=access.school_ids)


def get_window_or_404(user, pk):
    try:
        return windows_visible_to(user).select_related("school", "academic_year").get(pk=pk)
    except (RagWindow.DoesNotExist, ValueError):
        raise Http404("No such RAG window") from None


def mentors_window_or_404(user, pk):
    """(window, the user as mentor or None, whether they run the RAG) for pages a mentor uses for their own
    mentees and SLT for every mentor's (the breakfast, the printed sheets); anyone else gets a 404."""
    mentor = permissions.access_for(user).staff if permissions.can_mentor(user) else None
    runs = can_run_rag(user)
    permissions.require(mentor is not None or runs)
    return get_window_or_404(user, pk), mentor, runs


def actions_visible_to(user):
    """SLT: every action; heads of department: their department's; mentors: their mentees'; owners."""
    access = permissions.access_for(user)
    qs = RagAction.objects.filter(school_id__in=access.school_ids)
    if not access.is_staff_member:
        return qs.none()
    if can_run_rag(user):
        return qs
    if access.staff is None:
        return qs.none()
    scope = Q(owner=access.staff)
    if Role.HEAD_OF_DEPARTMENT in access.roles and access.department_ids:
        scope |= Q(subject__department_id__in=access.department_ids)
    if Role.MENTOR in access.roles:
        mentees = MentorAssignment.objects.filter(mentor=access.staff, academic_year__is_current=True)
        scope |= Q(pupil_id__in=mentees.values("pupil_id"))
    return qs.filter(scope)


def can_update_action(user, action):
    access = permissions.access_for(user)
    return can_run_rag(user) or (access.staff is not None and action.owner_id == access.staff.pk)
