"""Who may see and act on flags. Built on tracking.permissions; every interventions view asks here.

A flag is visible to whole-school roles (all of their school's), and otherwise to staff who can see
the pupil and who own the flag, raised it, or hold the role it is routed to (head of the subject's
department, head of year / key-stage coordinator, the pupil's form tutor). Assistant headteachers and
raising achievement coordinators lead global underachievement: they see every key-stage flag.
"""

from django.db.models import Q
from django.http import Http404

from tracking import permissions

from .models import Flag, Rule, Scope


def flags_visible_to(user):
    access = permissions.access_for(user)
    if not access.is_staff_member:
        return Flag.objects.none()
    qs = Flag.objects.filter(school_id__in=access.school_ids)
    if access.whole_school:
        return qs
    scope = Q(owner=access.staff) | Q(raised_by=user)
    if access.department_ids:
        scope |= Q(scope=Scope.SUBJECT, subject__department_id__in=access.department_ids)
    if access.year_group_ids:
        scope |= Q(scope=Scope.KEY_STAGE, pupil__year_group_id__in=access.year_group_ids)
    if access.key_stages:
        scope |= Q(
            scope=Scope.KEY_STAGE,
            pupil__year_group__number__in=permissions.years_in_key_stages(access.key_stages),
        )
    if permissions.leads_global_underachievement(user):
        scope |= Q(scope=Scope.KEY_STAGE)
    scope |= Q(scope=Scope.FORM_TUTOR, pupil__form__tutors=access.staff)
    owned = Flag.objects.filter(scope).values("pk")
    return qs.filter(pk__in=owned, pupil__in=permissions.pupils_visible_to(user))


def get_rule_or_404(user, pk):
    """A rule of the user's school, for those who manage rules; anyone else gets a 404."""
    permissions.require(can_manage_rules(user))
    rule = (
        Rule.objects.select_related("preset")
        .filter(pk=pk, preset__school_id__in=permissions.access_for(user).school_ids)
        .first()
    )
    permissions.require(rule is not None)
    return rule


def get_flag_or_404(user, pk):
    try:
        return (
            flags_visible_to(user)
            .select_related(
                "pupil__year_group",
                "pupil__form",
                "pupil__school",
                "subject",
                "owner__user",
                "point",
                "rule",
                "raised_by",
            )
            .get(pk=pk)
        )
    except (Flag.DoesNotExist, ValueError):
        raise Http404("No such flag") from None


def can_act_on(user, flag):
    """Owners record actions; so do the roles the flag is routed to and whole-school leaders."""
    access = permissions.access_for(user)
    if flag.school_id not in access.school_ids or not access.is_staff_member:
        return False
    return access.whole_school or flags_visible_to(user).filter(pk=flag.pk).exists()


def can_raise_flag(user, pupil):
    return permissions.is_staff_member(user) and permissions.can_see_pupil(user, pupil)


def can_manage_rules(user):
    """Choosing a preset and editing thresholds: senior leaders and the data manager."""
    return permissions.is_slt(user) or permissions.is_data_manager(user)


def can_see_flags_page(user):
    return permissions.is_staff_member(user)
