"""Leaders' pages (dashboards, A8/P8) and moving in from the MIS (imports, subject access)."""

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q

from tracking.models import GradeEntry, Role, TeachingGroup
from tracking.permissions.core import access_for, is_data_manager, require, school_for, years_in_key_stages

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

    access = access_for(user)
    if not access.is_staff_member or school is None or school.pk not in access.school_ids:
        return None
    entries = GradeEntry.objects.filter(school=school, pupil__is_active=True)
    if access.whole_school_reader:
        return entries
    heads = _leads_a_department(access)
    if not heads and Role.TEACHER not in access.roles:
        return None
    scope = _taught_entries(access.staff)
    if heads:
        scope |= Q(subject__department_id__in=access.department_ids)
    return entries.filter(scope)


def _taught_entries(staff, vendor=None):
    """Q: the grades of a teacher's own pupils in the subjects they teach them (grade rows need not name
    the group). The same grades either way; the form suits each database. PostgreSQL tests each grade
    against the groups (EXISTS) as a hash semi-join. SQLite has no hash joins: it would test every grade
    at the page's points one by one (about 100 ms at 6,000 pupils), so there the grades are found from
    the teacher's memberships, by the grades' (pupil, subject) index, instead."""
    if (vendor or connection.vendor) == "sqlite":
        return Q(pk__in=_grades_taught_by(staff).values("pk"))
    teaches = TeachingGroup.objects.filter(
        teachers=staff, subject_id=OuterRef("subject_id"), pupils=OuterRef("pupil_id")
    )
    return Q(Exists(teaches))


def _grades_taught_by(staff):
    """The grades of `staff`'s own pupils in the subjects they teach them, joined from their memberships."""
    return GradeEntry.objects.filter(subject__groups__teachers=staff, subject__groups__pupils=F("pupil_id"))


def _leads_a_department(access):
    return Role.HEAD_OF_DEPARTMENT in access.roles and bool(access.department_ids)


def can_see_dashboard(user):
    return dashboard_entries(user, school_for(user)) is not None


def dashboard_own_grades(user):
    """The grades of a teacher's own groups when they are all the teacher's dashboard counts (one who
    leads no department), else None: the scope that can be empty at an uplift the rest of the school has
    begun, so the page opens on the newest uplift holding them. Joined from the teacher's few hundred
    memberships (tested per term, the same grades cost a scan of the school's)."""
    access = access_for(user)
    if not access.is_staff_member or access.whole_school_reader or _leads_a_department(access):
        return None
    return _grades_taught_by(access.staff)


# The year groups Attainment 8 and Progress 8 are worked out for.
A8_YEARS = (10, 11)


def can_see_attainment8(user):
    """A8 adds up every subject a pupil takes: only for those who see every subject of the pupils they
    count. Whole-school readers see the school's; a head of Year 10 or 11 (or the Key Stage 4
    coordinator) counts every subject of their year group, as the year leaders' lists do
    (`year_entries`), so sees their year's. A head of department sees their department's subjects and a
    teacher their own groups', never a pupil's other subjects: no A8 for them."""
    access = access_for(user)
    if school_for(user) is None or not access.is_staff_member:
        return False
    if access.whole_school_reader:
        return True
    return bool(_a8_years_led(access))


def _a8_years_led(access):
    """The numbers of the years among 10 and 11 this user leads, as head of year or key-stage coordinator."""
    return (access.year_numbers | set(years_in_key_stages(access.key_stages))) & set(A8_YEARS)


def attainment8_entries(user, school):
    """GradeEntry rows the Attainment 8 pages may count, or None (a 404): the school's for whole-school
    readers, the grades at their year groups' points for heads of Year 10 and 11 (see
    `can_see_attainment8`)."""
    access = access_for(user)
    if not access.is_staff_member or school is None or school.pk not in access.school_ids:
        return None
    entries = GradeEntry.objects.filter(school=school, pupil__is_active=True)
    if access.whole_school_reader:
        return entries
    years = _a8_years_led(access)
    return entries.filter(point__year_group__number__in=years) if years else None


def can_edit_progress_estimates(user):
    return is_data_manager(user)


def leads_year(user, year_group):
    """A head of year of this year group, or the coordinator of its key stage."""
    access = access_for(user)
    return year_group.pk in access.year_group_ids or year_group.number in years_in_key_stages(
        access.key_stages
    )


def year_entries(user, school, year_group):
    """GradeEntry rows the year leaders' lists of one year group may count, or None (a 404).

    Whole-school readers and the year's own leaders count every subject; a head of department sees
    the lists for their department's subjects and a teacher for their own groups (the dashboard's
    scope), as issue 13 asks: "the same views for their department, teachers for their groups".
    """

    access = access_for(user)
    if not access.is_staff_member or school is None or school.pk not in access.school_ids:
        return None
    if year_group.school_id != school.pk:
        return None
    if access.whole_school_reader or leads_year(user, year_group):
        entries = GradeEntry.objects.filter(school=school, pupil__is_active=True)
    else:
        entries = dashboard_entries(user, school)
        if entries is None:
            return None
    return entries.filter(point__year_group=year_group)


def can_see_year_lists(user):
    """The nav entry: year leaders, whole-school readers, and whoever has a dashboard (no query)."""
    access = access_for(user)
    if not access.is_staff_member or not access.school_ids:
        return False
    return access.whole_school_reader or bool(
        access.year_group_ids or access.key_stages or access.roles & {Role.HEAD_OF_DEPARTMENT, Role.TEACHER}
    )


def is_year_leader(user):
    """Heads of year, key-stage coordinators and whole-school readers: the year lists in their menu."""
    access = access_for(user)
    return access.is_staff_member and (
        access.whole_school_reader or bool(access.year_group_ids or access.key_stages)
    )


def can_hand_over_year(user, year_group):
    """The transition report covers the whole year group: its leaders and whole-school readers."""
    access = access_for(user)
    if not access.is_staff_member or year_group.school_id not in access.school_ids:
        return False
    return access.whole_school_reader or leads_year(user, year_group)


def can_see_sen_view(user):
    """The SEN view is the dashboard split by need: whoever has a dashboard, in its scope (no query)."""
    access = access_for(user)
    if not access.is_staff_member or not access.school_ids:
        return False
    return access.whole_school_reader or bool(access.roles & {Role.HEAD_OF_DEPARTMENT, Role.TEACHER})


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

    access = access_for(user)
    if not access.is_trust or school.pk not in access.trust_school_ids:
        return None
    return GradeEntry.objects.filter(school=school, pupil__is_active=True)


# -- The Data Board -------------------------------------------------------------------------------


def can_manage_data_board(user):
    """The staffroom screen's settings and its link: the data manager's."""
    return is_data_manager(user) and school_for(user) is not None
