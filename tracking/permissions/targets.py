"""Targets: who generates, agrees, requests, raises and sees them."""

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q

from tracking.models import Role, Target, TargetRaiseProposal, TargetStatus, TeachingGroup
from tracking.permissions.core import (
    access_for,
    can_edit_group,
    current_years,
    groups_taught_by,
    has_role,
    is_data_manager,
    is_slt,
    is_whole_school,
    years_in_key_stages,
)

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
    scope = _taught_targets(access.staff)
    if access.department_ids:
        scope |= Q(subject__department_id__in=access.department_ids)
    # Heads of year and key stage are middle leaders: they see their pupils' targets once published.
    year_scope = Q(pupil__year_group_id__in=access.year_group_ids) if access.year_group_ids else Q()
    if access.key_stages:
        year_scope |= Q(pupil__year_group__number__in=years_in_key_stages(access.key_stages))
    if year_scope:
        scope |= year_scope & Q(published_grade__isnull=False)
    return qs.filter(scope)


def _taught_targets(staff, vendor=None):
    """Q: the targets of the pupils and subjects `staff` teaches this year. The same targets either way;
    the form suits each database. PostgreSQL tests each target against the groups (EXISTS), which it
    plans cheaply and runs as a hash semi-join. SQLite has no hash joins and would test every target of
    the year against the groups one by one (60 ms a read at 6,000 pupils), so there the targets are
    found from the groups' few hundred memberships instead (1-5 ms)."""
    if (vendor or connection.vendor) == "sqlite":
        taught = Target.objects.filter(
            subject__groups__teachers=staff,
            subject__groups__academic_year__in=current_years(),
            subject__groups__pupils=F("pupil_id"),
        )
        return Q(pk__in=taught.values("pk"))
    taught = TeachingGroup.objects.filter(
        teachers=staff,
        academic_year__in=current_years(),
        subject_id=OuterRef("subject_id"),
        pupils=OuterRef("pupil_id"),
    )
    return Q(Exists(taught))


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
