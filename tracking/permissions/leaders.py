"""Leaders' pages (dashboards, A8/P8) and moving in from the MIS (imports, subject access)."""

from django.db.models import Exists, OuterRef, Q

from tracking.models import Role, TeachingGroup
from tracking.permissions.core import access_for, is_data_manager, require, school_for

# -- Moving in from the MIS ---------------------------------------------------------------------


def can_set_up_school(user):
    """The school's set-up (calendar, scales, subjects, assessment points) is the data manager's."""
    return is_data_manager(user) and school_for(user) is not None


def get_setup_object_or_404(user, model, pk):
    """A subject or assessment point of the user's own school, for its set-up page."""
    require(can_set_up_school(user))
    found = model.objects.filter(pk=pk, school=school_for(user)).first()
    require(found is not None)
    return found


def can_import(user):
    """Imports change the roll: the data manager's job (and the trust team's)."""
    return is_data_manager(user) and school_for(user) is not None


def get_import_job_or_404(user, pk):
    from tracking.models import ImportJob  # noqa: PLC0415 - keeps this block apart from the shared imports

    require(can_import(user))
    job = ImportJob.objects.select_related("by").filter(pk=pk, school=school_for(user)).first()
    require(job is not None)
    return job


def can_export_subject_access(user):
    """Subject access requests are answered by the data manager (the school's data protection lead)."""
    return is_data_manager(user)


# -- Leaders' dashboards --------------------------------------------------------------------------


def dashboard_entries(user, school):
    """GradeEntry rows a user's dashboard may count: the whole school for SLT, the data team and the
    SENCo; a head of department's department; a teacher's own groups. None when they have no dashboard."""
    from tracking.models import GradeEntry  # noqa: PLC0415 - keeps this block apart from the shared imports

    access = access_for(user)
    if not access.is_staff_member or school is None or school.pk not in access.school_ids:
        return None
    entries = GradeEntry.objects.filter(school=school, pupil__is_active=True)
    if access.whole_school_reader:
        return entries
    heads = Role.HEAD_OF_DEPARTMENT in access.roles and bool(access.department_ids)
    if not heads and Role.TEACHER not in access.roles:
        return None
    # A teacher's own pupils in the subjects they teach them (grade rows need not name the group).
    teaches = TeachingGroup.objects.filter(teachers=access.staff)
    scope = Exists(teaches.filter(subject_id=OuterRef("subject_id"), pupils=OuterRef("pupil_id")))
    if heads:
        scope |= Q(subject__department_id__in=access.department_ids)
    return entries.filter(scope)


def can_see_dashboard(user):
    return dashboard_entries(user, school_for(user)) is not None


def can_see_attainment8(user):
    """A8 adds up every subject a pupil takes: only for those who see every subject."""
    return access_for(user).whole_school_reader and school_for(user) is not None


def can_edit_progress_estimates(user):
    return is_data_manager(user)


# -- The trust ------------------------------------------------------------------------------------


def can_see_trust_dashboard(user):
    """The trust's schools side by side: trust staff only (a school's own staff never see another's)."""
    return access_for(user).is_trust


def trust_schools_for(user):
    """The schools whose figures a trust login compares (none for anyone else)."""
    from tracking.models import School  # noqa: PLC0415 - keeps this block apart from the shared imports

    access = access_for(user)
    if not access.is_trust:
        return School.objects.none()
    return School.objects.filter(pk__in=access.trust_school_ids).order_by("name")


def trust_dashboard_entries(user, school):
    """A trust school's grades, whole-school, for the trust comparison (None outside the trust)."""
    from tracking.models import GradeEntry  # noqa: PLC0415 - keeps this block apart from the shared imports

    access = access_for(user)
    if not access.is_trust or school.pk not in access.trust_school_ids:
        return None
    return GradeEntry.objects.filter(school=school, pupil__is_active=True)


# -- The Data Board -------------------------------------------------------------------------------


def can_manage_data_board(user):
    """The staffroom screen's settings and its link: the data manager's."""
    return is_data_manager(user) and school_for(user) is not None
