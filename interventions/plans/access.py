"""Who sees and changes a plan. Built on tracking.permissions; every plan view asks here.

A plan is seen by whole-school readers (SLT, the data manager, the SENCos), its owner and author, the
pupil's pastoral staff (form tutor, head of year, key-stage coordinator, mentor: see
`permissions.pupils_in_care_of`) and, for a department's plan, that department's head.
Anyone else gets a 404.
"""

from django.db.models import Q
from django.http import Http404

from tracking import permissions
from tracking.models import Role
from tracking.school.queries import key_stages_in_use

from .models import Plan, TargetGroup, Tier


def plans_visible_to(user):
    access = permissions.access_for(user)
    if not access.is_staff_member:
        return Plan.objects.none()
    qs = Plan.objects.filter(school_id__in=access.school_ids, pupil__is_active=True)
    if access.whole_school_reader:
        return qs
    scope = Q(owner=access.staff) | Q(created_by=user) | Q(pupil__in=permissions.pupils_in_care_of(user))
    if access.department_ids and Role.HEAD_OF_DEPARTMENT in access.roles:
        scope |= Q(tier=Tier.DEPARTMENT, department_id__in=access.department_ids)
    # No part of the scope joins a many-valued relation, so it filters the plans directly.
    return qs.filter(scope)


def plans_owned_by(user):
    """`plans_visible_to(user).filter(owner__user=user)` without the scope's subqueries: an owner
    always sees their plans (the scope starts with them), so only the school and the pupil's being
    on roll remain to check."""
    access = permissions.access_for(user)
    if not access.is_staff_member or access.staff is None:
        return Plan.objects.none()
    return Plan.objects.filter(school_id__in=access.school_ids, pupil__is_active=True, owner=access.staff)


def get_plan_or_404(user, pk):
    try:
        # Only the relations the plan's page shows: each join more is planned for every open (thirteen
        # tables cost the database more to plan than to read).
        return (
            plans_visible_to(user)
            .select_related("pupil__year_group", "pupil__school", "owner__user", "form", "start_point")
            .get(pk=pk)
        )
    except (Plan.DoesNotExist, ValueError):
        raise Http404("No such plan") from None


def can_change(user, plan):
    """The owner and author change a plan; so do leaders of the role it belongs to, and SLT."""
    access = permissions.access_for(user)
    if plan.school_id not in access.school_ids or not access.is_staff_member:
        return False
    if access.whole_school:
        return True
    if access.staff is None:
        return False
    if plan.owner_id == access.staff.pk or plan.created_by_id == user.pk:
        return True
    if plan.tier == Tier.DEPARTMENT:
        return Role.HEAD_OF_DEPARTMENT in access.roles and plan.department_id in access.department_ids
    if plan.tier == Tier.KEY_STAGE:
        return _leads_year(access, plan.pupil)
    return plan.form_id is not None and plan.form.tutors.filter(pk=access.staff.pk).exists()


def _leads_year(access, pupil):
    years = permissions.years_in_key_stages(access.key_stages)
    return pupil.year_group_id in access.year_group_ids or pupil.year_group.number in years


def can_see_plan_lists(user):
    return permissions.is_staff_member(user)


# -- the key-stage coordinator's tracking sheet ----------------------------------------------------


def sheet_key_stages(user):
    """Key stages whose tracking sheet a user may open: SLT and the data team all; a key-stage
    coordinator theirs; a head of year the key stage of their year."""
    access = permissions.access_for(user)
    if not access.is_staff_member:
        return set()
    if access.whole_school:
        # The key stages the school has pupils in: an 11-16 school has no key stage 5 sheet.
        return key_stages_in_use(access.school_ids) or {3, 4}
    stages = set(access.key_stages)
    if access.year_group_ids:
        from tracking.models import YearGroup, key_stage_for

        numbers = YearGroup.objects.filter(pk__in=access.year_group_ids).values_list("number", flat=True)
        stages |= {key_stage_for(n) for n in numbers}
    return stages


def can_see_ks_sheet(user):
    return bool(sheet_key_stages(user))


def target_groups_visible_to(user):
    access = permissions.access_for(user)
    stages = sheet_key_stages(user)
    return TargetGroup.objects.filter(school_id__in=access.school_ids, key_stage__in=stages)


def get_target_group_or_404(user, pk):
    try:
        return target_groups_visible_to(user).select_related("owner__user", "start_point").get(pk=pk)
    except (TargetGroup.DoesNotExist, ValueError):
        raise Http404("No such group") from None
