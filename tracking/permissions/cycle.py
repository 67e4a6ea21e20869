"""The tracking cycle and the marksheets it opens."""

from django.db.models import Q
from django.http import Http404

from tracking.models import Department, FailedTask, ReopenRequest, Role, TeachingGroup, TrackingCycle
from tracking.permissions.core import access_for, can_edit_group, has_role, is_data_manager, is_slt, require

# -- the tracking cycle ---------------------------------------------------------------------------


def can_view_cycles(user):
    """The calendar and cycle pages: SLT, the data manager and heads of department."""
    access = access_for(user)
    return access.whole_school or Role.HEAD_OF_DEPARTMENT in access.roles


def can_manage_cycles(user):
    """Advance, hold, release and fast-forward cycles: the data manager (and the trust team)."""
    return is_data_manager(user)


def cycles_visible_to(user):
    if not can_view_cycles(user):
        return TrackingCycle.objects.none()
    return TrackingCycle.objects.filter(school_id__in=access_for(user).school_ids)


def get_cycle_or_404(user, pk):
    try:
        return cycles_visible_to(user).select_related("academic_year", "school").get(pk=pk)
    except (TrackingCycle.DoesNotExist, ValueError):
        raise Http404("No such cycle") from None


def health_departments_for(user):
    """Departments whose health checks and verification a user may see: all for SLT and the data
    manager, their own for heads of department, none for anyone else."""
    access = access_for(user)
    qs = Department.objects.filter(school_id__in=access.school_ids)
    if access.whole_school:
        return qs
    if Role.HEAD_OF_DEPARTMENT in access.roles:
        return qs.filter(pk__in=access.department_ids)
    return qs.none()


def verification_departments_or_404(user):
    """The departments a user verifies on a cycle's verification page; nobody else gets the page."""
    departments = health_departments_for(user)
    require(departments.exists())
    return departments


def signs_off_as_slt(user):
    """A senior leader's (or the data manager's) sign-off stands for the whole school."""
    return is_slt(user) or is_data_manager(user)


def failed_tasks_visible_to(user):
    """Failed background tasks: a data manager sees their own school's; the trust team sees all,
    including tasks that serve no one school."""
    access = access_for(user)
    if access.is_trust:
        return FailedTask.objects.all()
    if not is_data_manager(user):
        return FailedTask.objects.none()
    return FailedTask.objects.filter(school_id__in=access.school_ids)


# -- marksheets --------------------------------------------------------------------------------


def can_edit_sheet(user, group, window):
    """Teachers, heads of department and SLT edit within the window; the data manager at any time."""
    if not may_open_sheet(user, group):
        return False
    return window.is_open or is_data_manager(user)


def may_open_sheet(user, group):
    """Marksheets are for the people who enter a group's grades; everyone else gets a 404."""
    cache = user.__dict__.setdefault("_uplift_can_edit", {})
    if group.pk not in cache:
        cache[group.pk] = can_edit_group(user, group)
    return cache[group.pk]


def reopen_requests_visible_to(user):
    """Requests to reopen verified marksheets: the data manager decides their school's; anyone else sees
    the requests they made (and what became of them)."""
    access = access_for(user)
    requests = ReopenRequest.objects.filter(school_id__in=access.school_ids)
    if is_data_manager(user):
        return requests
    return requests.filter(requested_by=user) if access.staff is not None else ReopenRequest.objects.none()


def can_see_reopen_requests(user):
    return is_data_manager(user) or can_list_marksheets(user)


def groups_for_marksheets(user):
    """Groups whose sheets a user fills in: the ones they teach, and their department's for a HoD."""
    access = access_for(user)
    if access.staff is None:
        return TeachingGroup.objects.none()
    scope = Q(teachers=access.staff)
    if access.department_ids:
        scope |= Q(subject__department_id__in=access.department_ids)
    return TeachingGroup.objects.filter(
        pk__in=TeachingGroup.objects.filter(scope, academic_year__is_current=True).values("pk"),
        school_id__in=access.school_ids,
    )


def can_list_marksheets(user):
    return has_role(user, Role.TEACHER, Role.HEAD_OF_DEPARTMENT, Role.SLT, Role.DATA_MANAGER)


def shows_marksheet_panel(user):
    return has_role(user, Role.TEACHER, Role.HEAD_OF_DEPARTMENT)
