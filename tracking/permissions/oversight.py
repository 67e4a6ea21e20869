"""Oversight: completion, master grids, the audit trail and the security log."""

from django.db.models import Q
from django.http import Http404

from tracking.models import Role, Subject, TeachingGroup
from tracking.permissions.core import (
    access_for,
    current_years,
    has_role,
    is_data_manager,
    is_staff_member,
    is_whole_school,
)

# -- Oversight: completion, master grids, audit history -----------------------------------------


def completion_departments(user):
    """Departments whose completion a user may track: all for SLT and data team, their own for a HoD.

    None means "every department"; an empty set means no access.
    """
    access = access_for(user)
    if not access.is_staff_member:
        return set()
    if access.whole_school:
        return None
    if Role.HEAD_OF_DEPARTMENT in access.roles:
        return set(access.department_ids)
    return set()


def can_see_completion(user):
    return completion_departments(user) != set()


def can_send_reminders(user):
    """Chasing the whole staff is the data manager's and SLT's call, not a head of department's."""
    return is_whole_school(user)


def can_see_audit_history(user):
    """The grade audit trail: the data manager, SLT and the trust team only."""
    return is_whole_school(user)


def master_grid_subjects(user):
    """Subjects whose department master grid a user may read.

    SLT and the data team: every subject; a head of department: their department's; a teacher: the
    subjects they teach this year (read-only, so they see the department picture).
    """
    access = access_for(user)
    qs = Subject.objects.filter(school_id__in=access.school_ids)
    if not access.is_staff_member:
        return qs.none()
    if access.whole_school:
        return qs
    scope = Q(department_id__in=access.department_ids) if Role.HEAD_OF_DEPARTMENT in access.roles else Q()
    taught = TeachingGroup.objects.filter(teachers=access.staff, academic_year__in=current_years()).values(
        "subject_id"
    )
    return qs.filter(scope | Q(pk__in=taught)) if scope else qs.filter(pk__in=taught)


def completion_panel_subjects(user):
    """Master grids a head of department's completion panel links to (whole-school roles have the
    chooser instead)."""
    if is_whole_school(user):
        return []
    return list(master_grid_subjects(user).filter(department_id__in=access_for(user).department_ids))


def can_browse_master_grids(user):
    """Who gets the master grids entry: leaders, and teachers (who read their own subjects' grids)."""
    return can_see_completion(user) or (is_staff_member(user) and has_role(user, Role.TEACHER))


def get_master_subject_or_404(user, pk):
    try:
        return master_grid_subjects(user).select_related("department", "scale", "school").get(pk=pk)
    except (Subject.DoesNotExist, ValueError):
        raise Http404("No such subject") from None


# -- the security log -----------------------------------------------------------------------------


def can_read_security_log(user):
    """Who signed in, what they changed and downloaded: the data manager (and the trust team)."""
    return is_data_manager(user)


def audit_events_visible_to(user):
    """The audit trail of the user's school(s). Events that belong to no school (a sign-in with a
    name no account has) are the platform operator's, in the admin."""
    from tracking.models import AuditEvent

    if not can_read_security_log(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(school_id__in=access_for(user).school_ids)
