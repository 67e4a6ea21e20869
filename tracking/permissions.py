"""Who may see and change what. Every view asks this module; nothing else decides access.

Out-of-scope objects are a 404 (never a 403 that confirms they exist). Apps above `tracking`
(mentoring, for instance) widen a user's pupil scope through `register_pupil_scope` rather than
being imported here.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from tracking.models import (
    AcademicYear,
    Department,
    FailedTask,
    FormGroup,
    Guardian,
    Pupil,
    Role,
    School,
    Staff,
    Subject,
    Target,
    TargetRaiseProposal,
    TargetStatus,
    TeachingGroup,
    TrackingCycle,
)

WHOLE_SCHOOL_ROLES = {Role.SLT, Role.DATA_MANAGER}
# Global-underachievement leads (an assistant headteacher, a raising achievement coordinator).
GLOBAL_UNDERACHIEVEMENT_ROLES = {Role.ASSISTANT_HEAD, Role.RAISING_ACHIEVEMENT}
# SENCos need every pupil's picture to plan support, and the global-underachievement leads every
# pupil's picture across subjects; none of them changes what they do not own.
WHOLE_SCHOOL_READERS = WHOLE_SCHOOL_ROLES | {Role.SENCO} | GLOBAL_UNDERACHIEVEMENT_ROLES

_pupil_scopes = []
_pastoral_scopes = []


def register_pupil_scope(func):
    """Add a function(user, access) -> Q over Pupil that widens what a user may see."""
    _pupil_scopes.append(func)
    return func


def register_pastoral_scope(func):
    """Add a function(user, access) -> Q over Pupil: pupils in this user's pastoral care (e.g. mentees)."""
    _pastoral_scopes.append(func)
    return func


@dataclass
class Access:
    """What one user is, worked out once per request."""

    school_ids: set = field(default_factory=set)
    is_trust: bool = False
    staff: Staff | None = None
    guardian: Guardian | None = None
    roles: set = field(default_factory=set)
    department_ids: set = field(default_factory=set)
    year_group_ids: set = field(default_factory=set)
    key_stages: set = field(default_factory=set)

    @property
    def is_staff_member(self):
        return self.staff is not None or self.is_trust

    @property
    def whole_school(self):
        return self.is_trust or bool(self.roles & WHOLE_SCHOOL_ROLES)

    @property
    def whole_school_reader(self):
        return self.is_trust or bool(self.roles & WHOLE_SCHOOL_READERS)


def access_for(user):
    if not user.is_authenticated:
        return Access()
    cached = getattr(user, "_uplift_access", None)
    if cached is not None:
        return cached
    access = Access(is_trust=user.is_trust_admin)
    if user.is_trust_admin:
        access.school_ids = set(School.objects.values_list("id", flat=True))
    elif user.school_id:
        access.school_ids = {user.school_id}
    staff = Staff.objects.filter(user=user).prefetch_related("roles").first()
    if staff is not None:
        access.staff = staff
        for role in staff.roles.all():
            access.roles.add(role.role)
            # Scope comes only from the role that carries it (a database constraint agrees).
            if role.role == Role.HEAD_OF_DEPARTMENT and role.department_id:
                access.department_ids.add(role.department_id)
            if role.role == Role.HEAD_OF_YEAR and role.year_group_id:
                access.year_group_ids.add(role.year_group_id)
            if role.role == Role.HEAD_OF_YEAR and role.key_stage:
                access.key_stages.add(role.key_stage)
    else:
        access.guardian = Guardian.objects.filter(user=user).first()
    user._uplift_access = access
    return access


def has_role(user, *roles):
    access = access_for(user)
    return access.is_trust or bool(access.roles & set(roles))


def is_staff_member(user):
    return access_for(user).is_staff_member


def is_guardian(user):
    return access_for(user).guardian is not None


def is_whole_school(user):
    """SLT, the data manager and the trust team: see and analyse the whole school."""
    return access_for(user).whole_school


def is_data_manager(user):
    access = access_for(user)
    return access.is_trust or Role.DATA_MANAGER in access.roles


def is_slt(user):
    access = access_for(user)
    return access.is_trust or Role.SLT in access.roles


def leads_global_underachievement(user):
    """Assistant headteachers and raising achievement coordinators: every pupil's cross-subject flags."""
    access = access_for(user)
    return bool(access.roles & GLOBAL_UNDERACHIEVEMENT_ROLES)


def current_years():
    return AcademicYear.objects.filter(is_current=True)


def groups_taught_by(user):
    access = access_for(user)
    if access.staff is None:
        return TeachingGroup.objects.none()
    return TeachingGroup.objects.filter(teachers=access.staff, academic_year__in=current_years())


def groups_visible_to(user):
    """Teaching groups a user may look at: whole school, their department's, their own."""
    access = access_for(user)
    if not access.is_staff_member:
        return TeachingGroup.objects.none()
    qs = TeachingGroup.objects.filter(school_id__in=access.school_ids)
    if access.whole_school_reader:
        return qs
    scope = Q(teachers=access.staff)
    if access.department_ids:
        scope |= Q(subject__department_id__in=access.department_ids)
    return qs.filter(pk__in=TeachingGroup.objects.filter(scope).values("pk"))


def can_edit_group(user, group):
    """Grades for a group are entered by its teachers, its head of department and the data team."""
    access = access_for(user)
    if group.school_id not in access.school_ids or not access.is_staff_member:
        return False
    if access.whole_school:
        return True
    if group.subject.department_id in access.department_ids:
        return True
    return group.teachers.filter(pk=access.staff.pk).exists()


def subjects_visible_to(user):
    access = access_for(user)
    qs = Subject.objects.filter(school_id__in=access.school_ids)
    if not access.is_staff_member:
        return qs.none()
    if access.whole_school_reader:
        return qs
    taught = TeachingGroup.objects.filter(teachers=access.staff).values("subject_id")
    return qs.filter(Q(department_id__in=access.department_ids) | Q(pk__in=taught))


def forms_visible_to(user):
    access = access_for(user)
    qs = FormGroup.objects.filter(school_id__in=access.school_ids, academic_year__in=current_years())
    if not access.is_staff_member:
        return qs.none()
    if access.whole_school_reader:
        return qs
    scope = Q(tutors=access.staff) | Q(year_group_id__in=access.year_group_ids)
    if access.key_stages:
        scope |= Q(year_group__number__in=years_in_key_stages(access.key_stages))
    return qs.filter(pk__in=FormGroup.objects.filter(scope).values("pk"))


def years_in_key_stages(key_stages):
    ranges = {3: (7, 8, 9), 4: (10, 11), 5: (12, 13)}
    return [year for ks in key_stages for year in ranges.get(ks, ())]


def pupils_visible_to(user):
    """Every pupil this user may see. Parents: their own children, nobody else, ever."""
    access = access_for(user)
    base = Pupil.objects.filter(school_id__in=access.school_ids, is_active=True)
    if access.guardian is not None and access.staff is None:
        return base.filter(guardians=access.guardian)
    if not access.is_staff_member:
        return base.none()
    if access.whole_school_reader:
        return base
    through = TeachingGroup.pupils.through
    scope = Q(
        pk__in=through.objects.filter(
            teachinggroup__in=groups_visible_to(user).filter(academic_year__in=current_years())
        ).values("pupil_id")
    )
    scope |= Q(form__in=forms_visible_to(user))
    if access.year_group_ids:
        scope |= Q(year_group_id__in=access.year_group_ids)
    if access.key_stages:
        scope |= Q(year_group__number__in=years_in_key_stages(access.key_stages))
    for extra in _pupil_scopes:
        scope |= extra(user, access)
    return base.filter(scope)


def pupils_in_care_of(user):
    """Pupils a member of staff looks after rather than teaches: their form as tutor, their year as
    head of year, their key stage as its coordinator, and what other apps register (mentees).

    Plans, session follow-ups and chase lists are shown to these people, not to every teacher."""
    access = access_for(user)
    base = Pupil.objects.filter(school_id__in=access.school_ids, is_active=True)
    if access.staff is None:
        return base.none()
    scope = Q(form__tutors=access.staff, form__academic_year__in=current_years())
    if access.year_group_ids:
        scope |= Q(year_group_id__in=access.year_group_ids)
    if access.key_stages:
        scope |= Q(year_group__number__in=years_in_key_stages(access.key_stages))
    for extra in _pastoral_scopes:
        scope |= extra(user, access)
    return base.filter(pk__in=Pupil.objects.filter(scope).values("pk"))


def can_see_pupil(user, pupil):
    return pupils_visible_to(user).filter(pk=pupil.pk).exists()


def get_pupil_or_404(user, pk):
    try:
        return pupils_visible_to(user).select_related("year_group", "form", "school").get(pk=pk)
    except (Pupil.DoesNotExist, ValueError):
        raise Http404("No such pupil") from None


def get_group_or_404(user, pk):
    try:
        return (
            groups_visible_to(user)
            .select_related("subject__scale", "subject__department", "year_group", "academic_year")
            .get(pk=pk)
        )
    except (TeachingGroup.DoesNotExist, ValueError):
        raise Http404("No such group") from None


def school_for(user):
    """The school a user works in (trust admins: the first, until they pick one)."""
    access = access_for(user)
    if not access.school_ids:
        return None
    if user.school_id in access.school_ids:
        return user.school
    return School.objects.filter(pk__in=access.school_ids).first()


def require(condition):
    """Raise 404 unless the condition holds: a refusal never confirms that something exists."""
    if not condition:
        raise Http404("Not found")


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


# -- targets -----------------------------------------------------------------------------------
# The Data Verification Team (Longfield policy) arbitrates changes to published targets: in Uplift
# it is the senior leadership team together with the data manager (and the trust's central team).


def can_generate_targets(user):
    """The data manager generates targets and keeps the flight-path tables."""
    return is_data_manager(user)


def can_agree_targets(user):
    """Targets are discussed and agreed by SLT, who then publish them."""
    return is_slt(user)


def is_verification_team(user):
    return is_whole_school(user)


def heads_department_of(user, subject):
    access = access_for(user)
    return (
        Role.HEAD_OF_DEPARTMENT in access.roles
        and subject.department_id in access.department_ids
        and subject.school_id in access.school_ids
    )


def can_verify_sheet(user, group):
    """Verifying a reopened sheet again (so families see its changes) is for the verification team and
    the head of the group's department."""
    return is_verification_team(user) or heads_department_of(user, group.subject)


def can_request_target_change(user, subject):
    """A head of department asks for a published target in their subject to change."""
    return heads_department_of(user, subject)


def can_see_target_changes(user):
    """The change-request queue: the verification team decides; heads of department follow theirs."""
    return is_verification_team(user) or (
        bool(access_for(user).department_ids) and has_role(user, Role.HEAD_OF_DEPARTMENT)
    )


def target_changes_visible_to(user):
    """Targets waiting on a change request: all for the verification team, a department's for its head."""
    qs = targets_visible_to(user).filter(status=TargetStatus.CHANGE_REQUESTED)
    if is_verification_team(user):
        return qs
    return qs.filter(subject__department_id__in=access_for(user).department_ids)


def can_see_raises(user):
    """The raises page: reviewers see proposals, the data manager runs the proposal pass."""
    return can_review_raises(user) or can_generate_targets(user)


def raises_visible_to(user):
    """Raise proposals a user reviews: every one for SLT, their department's for a head of department."""
    qs = TargetRaiseProposal.objects.filter(school_id__in=access_for(user).school_ids)
    if not can_review_raises(user):
        return qs.none()
    if is_slt(user):
        return qs
    return qs.filter(target__subject__department_id__in=access_for(user).department_ids)


def can_review_raises(user, subject=None):
    """SLT review every proposed raise; heads of department those in their department."""
    if is_slt(user):
        return True
    access = access_for(user)
    if Role.HEAD_OF_DEPARTMENT not in access.roles:
        return False
    return subject is None or subject.department_id in access.department_ids


def _teaches(user, pupil_id, subject_id):
    access = access_for(user)
    if access.staff is None:
        return False
    return TeachingGroup.objects.filter(
        teachers=access.staff,
        academic_year__in=current_years(),
        subject_id=subject_id,
        pupils__id=pupil_id,
    ).exists()


def can_propose_target(user, pupil, subject):
    """Teachers propose targets for their own groups' pupils; HoDs for their department; SLT/data anyone."""
    access = access_for(user)
    if pupil.school_id not in access.school_ids or not access.is_staff_member:
        return False
    if access.whole_school or subject.department_id in access.department_ids:
        return True
    return _teaches(user, pupil.pk, subject.pk)


def targets_visible_to(user):
    """Targets a member of staff may list: whole school, their department's subjects, their groups'
    pupils, and (published only) their year group's or key stage's pupils."""
    access = access_for(user)
    qs = Target.objects.filter(school_id__in=access.school_ids, pupil__is_active=True)
    if not access.is_staff_member:
        return qs.none()
    if access.whole_school_reader:
        return qs
    taught = TeachingGroup.objects.filter(
        teachers=access.staff,
        academic_year__in=current_years(),
        subject_id=OuterRef("subject_id"),
        pupils=OuterRef("pupil_id"),
    )
    scope = Q(Exists(taught))
    if access.department_ids:
        scope |= Q(subject__department_id__in=access.department_ids)
    # Heads of year and key stage are middle leaders: they see their pupils' targets once published.
    year_scope = Q(pupil__year_group_id__in=access.year_group_ids) if access.year_group_ids else Q()
    if access.key_stages:
        year_scope |= Q(pupil__year_group__number__in=years_in_key_stages(access.key_stages))
    if year_scope:
        scope |= year_scope & Q(published_grade__isnull=False)
    return qs.filter(scope)


def can_write_curricular_target(user, *, pupil=None, group=None, form=None):
    """Teachers set curricular targets for their groups and pupils; tutors for their form."""
    access = access_for(user)
    if not access.is_staff_member:
        return False
    if access.whole_school:
        return True
    if group is not None:
        return group.school_id in access.school_ids and can_edit_group(user, group)
    if form is not None:
        return form.school_id in access.school_ids and form.tutors.filter(pk=access.staff.pk).exists()
    if pupil is not None:
        if pupil.school_id not in access.school_ids:
            return False
        in_groups = groups_taught_by(user).filter(pupils=pupil).exists()
        return in_groups or (
            pupil.form_id is not None and pupil.form.tutors.filter(pk=access.staff.pk).exists()
        )
    return False


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


# -- mentoring ---------------------------------------------------------------------------------


def can_allocate_mentors(user):
    """Academic mentors are decided by SLT (Longfield policy); the data manager keeps the lists."""
    return (is_slt(user) or is_data_manager(user)) and school_for(user) is not None


# -- the admin ------------------------------------------------------------------------------------
# A platform operator (a superuser, who belongs to no school) runs the installation. A school's data
# manager (or the trust's team) with admin access sees only their school's rows, and only in Uplift's
# own apps; everything here is asked by config/admin.py and the admin permission backend.

ADMIN_APPS = {"tracking", "mentoring", "interventions", "reports"}
# Changed only through their services, which validate and audit: shown in the admin, never edited.
ADMIN_READ_ONLY = {
    "tracking.gradeentry",
    "tracking.target",
    "tracking.targetraiseproposal",
    "tracking.auditevent",
    "tracking.cycletransition",
    "tracking.healthcheck",
}
# Installation-wide: the operator's alone.
ADMIN_OPERATOR_ONLY = {"tracking.signinattempt", "tracking.scheduledeventrun"}
# A school may correct its own record but not create or remove schools.
ADMIN_NO_ADD_OR_DELETE = {"tracking.school", "tracking.user"}
# Fields of a login that only the operator may set.
ADMIN_OPERATOR_FIELDS = ("is_superuser", "is_staff", "is_trust_admin", "groups", "user_permissions")


def is_platform_operator(user):
    return bool(user.is_authenticated and user.is_active and user.is_superuser and user.school_id is None)


def can_use_admin(user):
    """The operator, and data managers or trust staff whose login has admin access (is_staff)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return is_platform_operator(user) or is_data_manager(user)


_school_paths = {}


def school_path(model):
    """The lookup from a model to its school ("school", "staff__school", ...), or None if it has none."""
    if model in _school_paths:
        return _school_paths[model]
    path = None
    if model is School:
        path = "pk"
    else:
        frontier = [(model, "")]
        for _ in range(3):
            step = []
            for current, prefix in frontier:
                for field in current._meta.concrete_fields:
                    if not field.many_to_one and not field.one_to_one:
                        continue
                    if field.related_model is School:
                        path = f"{prefix}{field.name}"
                        break
                    step.append((field.related_model, f"{prefix}{field.name}__"))
                if path:
                    break
            if path:
                break
            frontier = step
    _school_paths[model] = path
    return path


def school_id_of(obj):
    """The school an object belongs to, following school_path (None for installation-wide rows)."""
    path = school_path(type(obj))
    if path is None:
        return None
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def admin_scope(user, queryset):
    """The rows of a queryset this user may see in the admin (lists, choice lists and lookups)."""
    if is_platform_operator(user):
        return queryset
    path = school_path(queryset.model)
    if path is None or not can_use_admin(user) or queryset.model._meta.app_label not in ADMIN_APPS:
        return queryset.none()
    return queryset.filter(**{f"{path}__in": access_for(user).school_ids})


def admin_may(user, model, action):
    """May this user `action` ("view", "add", "change", "delete") rows of `model` in the admin?"""
    if is_platform_operator(user):
        return True
    if not can_use_admin(user):
        return False
    label = model._meta.label_lower
    if model._meta.app_label not in ADMIN_APPS or school_path(model) is None or label in ADMIN_OPERATOR_ONLY:
        return False
    if label in ADMIN_READ_ONLY:
        return action == "view"
    if label in ADMIN_NO_ADD_OR_DELETE and action in ("add", "delete"):
        return action == "add" and label == "tracking.user"
    return True


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


def can_mentor(user):
    """Academic mentors keep a workspace for their own mentees (whoever else they are)."""
    access = access_for(user)
    return access.staff is not None and Role.MENTOR in access.roles and school_for(user) is not None


def can_see_mentoring_compliance(user):
    """Whether every mentee is met each month is SLT's to watch (Longfield), with the data manager."""
    return can_allocate_mentors(user)


def pupils_taught_by(user):
    """Pupils on roll in the groups a member of staff teaches this year."""
    through = TeachingGroup.pupils.through
    taught = through.objects.filter(teachinggroup__in=groups_taught_by(user)).values("pupil_id")
    return Pupil.objects.filter(pk__in=taught, is_active=True, school_id__in=access_for(user).school_ids)


def can_send_mentoring_slips(user):
    """Any teacher may send a mentoring slip about a pupil they teach (Hurworth: all staff)."""
    access = access_for(user)
    return access.staff is not None and Role.TEACHER in access.roles


def slip_subjects(user, pupil):
    """The subjects in which this member of staff teaches this pupil this year: a slip's subject."""
    groups = groups_taught_by(user).filter(pupils=pupil)
    return Subject.objects.filter(pk__in=groups.values("subject_id")).order_by("name")
