"""The core of the access policy: roles, who a user is, and which pupils, groups and subjects they see."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.http import Http404

from tracking.models import (
    AcademicYear,
    FormGroup,
    Guardian,
    Pupil,
    Role,
    School,
    Staff,
    StaffRole,
    Subject,
    TeachingGroup,
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
    # Trust staff work in one school at a time (school_ids) and may switch among these.
    trust_school_ids: set = field(default_factory=set)
    school: School | None = None  # school_for's answer when it is not the user's own (asked once)
    staff: Staff | None = None
    guardian: Guardian | None = None
    roles: set = field(default_factory=set)
    department_ids: set = field(default_factory=set)
    year_group_ids: set = field(default_factory=set)
    key_stages: set = field(default_factory=set)
    year_numbers: set = field(default_factory=set)  # the numbers of year_group_ids (Year 11: 11)

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
        access.trust_school_ids = set(School.objects.values_list("id", flat=True))
        current = _trust_school_choice(user, access.trust_school_ids)
        access.school_ids = {current} if current is not None else set()
    elif user.school_id:
        access.school_ids = {user.school_id}
    # Each role with its year group joined, so a head of year's year numbers cost no query of their own.
    roles = Prefetch("roles", queryset=StaffRole.objects.select_related("year_group"))
    staff = Staff.objects.filter(user=user).prefetch_related(roles).first()
    if staff is not None:
        access.staff = staff
        for role in staff.roles.all():
            access.roles.add(role.role)
            # Scope comes only from the role that carries it (a database constraint agrees).
            if role.role == Role.HEAD_OF_DEPARTMENT and role.department_id:
                access.department_ids.add(role.department_id)
            if role.role == Role.HEAD_OF_YEAR and role.year_group_id:
                access.year_group_ids.add(role.year_group_id)
                access.year_numbers.add(role.year_group.number)
            if role.role == Role.HEAD_OF_YEAR and role.key_stage:
                access.key_stages.add(role.key_stage)
    else:
        access.guardian = Guardian.objects.filter(user=user).first()
    user._uplift_access = access
    return access


# The session key holding the school a trust login is working in (tracking.school.switcher sets it).
TRUST_SCHOOL_SESSION_KEY = "uplift_trust_school"


def _trust_school_choice(user, allowed):
    """The school a trust login works in: the one chosen with the school switcher (put on the user
    by TrustSchoolMiddleware from the session), else their own school, else the first by name."""
    for choice in (getattr(user, "_uplift_school_choice", None), user.school_id):
        if choice in allowed:
            return choice
    return School.objects.filter(pk__in=allowed).order_by("name").values_list("pk", flat=True).first()


def schools_to_switch_to(user):
    """The schools a trust login may pick with the school switcher (nobody else has one)."""
    access = access_for(user)
    if not access.is_trust or len(access.trust_school_ids) < 2:
        return School.objects.none()
    return School.objects.filter(pk__in=access.trust_school_ids).order_by("name")


def has_role(user, *roles):
    access = access_for(user)
    return access.is_trust or bool(access.roles & set(roles))


def is_signed_in(user):
    """Home and the pages every signed-in person has (each view asks login_required as well)."""
    return user.is_authenticated


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
    # Every part of the scope is a subquery or a column of the pupil's own row: no join that could
    # repeat a pupil, so no outer pk__in wrapper for the planner to flatten into every query using it.
    tutored = FormGroup.tutors.through.objects.filter(
        staff=access.staff, formgroup__academic_year__in=current_years()
    ).values("formgroup_id")
    scope = Q(form_id__in=tutored)
    if access.year_group_ids:
        scope |= Q(year_group_id__in=access.year_group_ids)
    if access.key_stages:
        scope |= Q(year_group__number__in=years_in_key_stages(access.key_stages))
    for extra in _pastoral_scopes:
        scope |= extra(user, access)
    return base.filter(scope)


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


def chosen_or_404(allowed, raw):
    """The row a request parameter names, from a queryset the viewer may see: None when the parameter is
    empty, 404 for a bad id and an out-of-scope one alike."""
    if not raw:
        return None
    try:
        return allowed.get(pk=raw)
    except (allowed.model.DoesNotExist, ValueError):
        raise Http404("Not found") from None


def school_for(user):
    """The school a user works in (trust admins: the first, until they pick one)."""
    access = access_for(user)
    if not access.school_ids:
        return None
    if user.school_id in access.school_ids:
        return user.school
    if access.school is None:
        access.school = School.objects.filter(pk__in=access.school_ids).first()
    return access.school


def require(condition):
    """Raise 404 unless the condition holds: a refusal never confirms that something exists."""
    if not condition:
        raise Http404("Not found")
