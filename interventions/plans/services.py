"""Every write to a plan: from a flag, edits, reviews after tracking events, target groups.

Each is atomic, validates first, writes one audit row per change through tracking.audit, and raises
DomainError (a code and a message for people) on bad input, leaving nothing half-saved.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tracking import audit
from tracking.lib.errors import DomainError
from tracking.lib.queue import safe_enqueue

from .. import grades, queries
from ..models import Flag, FlagStatus
from .models import TIER_FOR_SCOPE, Decision, Plan, PlanReview, PlanStatus, TargetGroup, Tier

# What each level means (Laude policy), the starting text of "what will be done".
LEVEL_ACTIONS = {
    1: "Discuss learning and progress with the pupil so far, positively and supportively.",
    2: "Discuss weaknesses with the pupil and set extra homework on them; inform parents by email or "
    "a tutorial.",
    3: "One-to-one support (the SEN department may help); invite parents in for a tutorial and explain "
    "the plan; agree any withdrawal from other lessons with the Head of Secondary and parents.",
}
DEFAULT_REVIEW_WEEKS = 6
EDITABLE = (
    "level",
    "reason",
    "actions",
    "owner",
    "review_date",
    "finished_on",
    "parents_informed_on",
    "parents_informed_how",
    "parent_tutorial_on",
    "on_report_from",
    "on_report_until",
)


def _snapshot(plan):
    def value(name):
        v = getattr(plan, name if name != "owner" else "owner_id")
        return v.isoformat() if hasattr(v, "isoformat") else v

    return {name: value(name) for name in EDITABLE} | {"status": plan.status}


def _subjects_below(pupil, point):
    """For a key-stage or tutor plan: the subjects below target at the flag's point."""
    found = grades.pupil_standing(pupil, point=point)
    return [s.subject_id for s in found if s.is_below]


@transaction.atomic
def plan_from_flag(*, flag, by, today=None, now=None):
    """Start a plan from a flag in one step, pre-filled from it. Returns (plan, created).

    A second call for the same flag returns the plan already made. The flag is marked actioned.
    """
    now = now or timezone.now()
    today = today or timezone.localdate()
    flag = (
        Flag.objects.select_for_update(of=("self",))
        .select_related("pupil__form", "subject", "point")
        .get(pk=flag.pk)
    )
    existing = Plan.objects.filter(flag=flag).first()
    if existing is not None:
        return existing, False
    pupil = flag.pupil
    subject_ids = [flag.subject_id] if flag.subject_id else _subjects_below(pupil, flag.point)
    standing = [s.as_dict() for s in grades.pupil_standing(pupil, subject_ids=subject_ids, point=flag.point)]
    later = queries.next_point(flag.point)
    review = (
        later.closes_on
        if later and later.closes_on > today
        else today + timedelta(weeks=DEFAULT_REVIEW_WEEKS)
    )
    plan = Plan.objects.create(
        school_id=flag.school_id,
        pupil=pupil,
        flag=flag,
        tier=TIER_FOR_SCOPE[flag.scope],
        level=flag.level,
        form=pupil.form,
        department_id=flag.subject.department_id if flag.subject_id else None,
        reason=flag.reason,
        actions=LEVEL_ACTIONS[flag.level],
        owner_id=flag.owner_id,
        start_date=today,
        review_date=review,
        start_point=flag.point,
        start_standing=standing,
        created_at=now,
        created_by=by,
    )
    plan.subjects.set(subject_ids)
    audit.record(
        action="interventions.plan.created",
        obj=plan,
        by=by,
        pupil=pupil,
        after=_snapshot(plan) | {"flag": flag.pk, "subjects": subject_ids},
    )
    if flag.status == FlagStatus.OPEN:
        before = {"status": flag.status, "action_text": flag.action_text}
        flag.status, flag.actioned_at = FlagStatus.ACTIONED, now
        flag.action_text = flag.action_text or f"Level {plan.level} intervention plan started."
        flag.save(update_fields=["status", "actioned_at", "action_text"])
        audit.record(
            action="interventions.flag.action_recorded",
            obj=flag,
            by=by,
            pupil=pupil,
            via="plan",
            before=before,
            after={"status": flag.status, "action_text": flag.action_text},
        )
    return plan, True


def _check(plan):
    """Refuse a plan that contradicts itself; messages say what to change."""
    if plan.level not in (1, 2, 3):
        raise DomainError("bad_level", "The level must be 1, 2 or 3.")
    if not (plan.reason or "").strip():
        raise DomainError("reason_required", "Say why the pupil was referred.")
    if plan.parent_tutorial_on and plan.level < 2:
        raise DomainError(
            "tutorial_level",
            "Parent tutorials are for level 2 and 3 plans: raise the level or clear the date.",
        )
    if plan.review_date and plan.review_date < plan.start_date:
        raise DomainError("review_before_start", "The review date is before the plan started.")
    if plan.finished_on and plan.finished_on < plan.start_date:
        raise DomainError("finished_before_start", "The plan cannot finish before it started.")
    if plan.on_report_until and not plan.on_report_from:
        raise DomainError("report_until_only", "Give the date the pupil went on report.")
    if plan.on_report_until and plan.on_report_until < plan.on_report_from:
        raise DomainError("report_dates", "'On report until' is before 'on report from'.")
    if plan.parents_informed_how and not plan.parents_informed_on:
        raise DomainError("informed_when", "Say when parents were informed.")


@transaction.atomic
def plan_update(*, plan, by, subjects=None, **changes):
    """Save changes to a plan's fields (and subjects); audited before and after."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError("not_editable", f"These cannot be edited: {', '.join(sorted(unknown))}.")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    before = _snapshot(plan)
    before_subjects = sorted(plan.subjects.values_list("pk", flat=True))
    for name, value in changes.items():
        setattr(plan, name, value)
    if plan.finished_on and plan.status == PlanStatus.ACTIVE:
        plan.status = PlanStatus.ENDED
    elif not plan.finished_on and plan.status == PlanStatus.ENDED:
        plan.status = PlanStatus.ACTIVE
    _check(plan)
    plan.save()
    after_subjects = before_subjects
    if subjects is not None:
        plan.subjects.set(subjects)
        after_subjects = sorted(s.pk for s in subjects)
    after = _snapshot(plan)
    changed = {k for k in after if after[k] != before[k]}
    moved = after_subjects != before_subjects
    if changed or moved:
        audit.record(
            action="interventions.plan.changed",
            obj=plan,
            by=by,
            pupil=plan.pupil,
            before={k: before[k] for k in changed} | ({"subjects": before_subjects} if moved else {}),
            after={k: after[k] for k in changed} | ({"subjects": after_subjects} if moved else {}),
        )
    return plan


@transaction.atomic
def plan_review(*, plan, point, decision, by, note="", now=None):
    """Record the owner's decision after a later tracking event: continue, step up, or end.

    The pupil's standing at that point is stored with it. Stepping up or ending notifies the owner,
    the form tutor and the mentor by email, queued through the worker after commit.
    """
    now = now or timezone.now()
    if decision not in Decision.values:
        raise DomainError("bad_decision", "Choose continue, step up or end.")
    plan = Plan.objects.select_for_update().select_related("pupil").get(pk=plan.pk)
    if plan.status != PlanStatus.ACTIVE:
        raise DomainError("plan_ended", "This plan has ended: start a new one from a flag.")
    if point.school_id != plan.school_id or point.year_group_id != plan.pupil.year_group_id:
        raise DomainError("wrong_point", "Review against one of the pupil's own year group's points.")
    if (
        plan.start_point_id
        and point.sequence <= plan.start_point.sequence
        and point.academic_year_id == plan.start_point.academic_year_id
    ):
        raise DomainError("not_later", "Review against a tracking event after the plan started.")
    if PlanReview.objects.filter(plan=plan, point=point).exists():
        raise DomainError("already_reviewed", f"This plan was already reviewed after {point.name}.")
    if decision == Decision.STEP_UP and plan.level >= 3:
        raise DomainError("top_level", "The plan is already at level 3: continue or end it.")
    level_before = plan.level
    subject_ids = list(plan.subjects.values_list("pk", flat=True))
    standing = [
        s.as_dict() for s in grades.pupil_standing(plan.pupil, subject_ids=subject_ids or None, point=point)
    ]
    before = _snapshot(plan)
    if decision == Decision.STEP_UP:
        plan.level += 1
        plan.actions = (plan.actions + "\n\n" if plan.actions else "") + LEVEL_ACTIONS[plan.level]
    if decision == Decision.END:
        plan.status, plan.finished_on = PlanStatus.ENDED, timezone.localdate(now)
    plan.review_date = (
        None if decision == Decision.END else timezone.localdate(now) + timedelta(weeks=DEFAULT_REVIEW_WEEKS)
    )
    plan.save()
    review = PlanReview.objects.create(
        plan=plan,
        point=point,
        decision=decision,
        note=(note or "").strip(),
        level_before=level_before,
        level_after=plan.level,
        standing=standing,
        by=by,
        at=now,
    )
    audit.record(
        action="interventions.plan.reviewed",
        obj=plan,
        by=by,
        pupil=plan.pupil,
        before=before,
        after=_snapshot(plan) | {"decision": decision, "point": point.pk},
        note=review.note,
    )
    if decision in (Decision.STEP_UP, Decision.END):
        from . import tasks

        safe_enqueue(tasks.send_plan_notice, review.pk)
    return review


# -- target groups --------------------------------------------------------------------------------


@transaction.atomic
def target_group_create(*, school, key_stage, name, pupils, by, point=None, now=None):
    name = (name or "").strip()
    if not name:
        raise DomainError("name_required", "Name the group.")
    if TargetGroup.objects.filter(school=school, key_stage=key_stage, name__iexact=name).exists():
        raise DomainError("name_taken", f"KS{key_stage} already has a group called '{name}'.")
    wrong = [p for p in pupils if p.school_id != school.pk or p.year_group.key_stage != key_stage]
    if wrong:
        raise DomainError("wrong_pupils", f"{wrong[0].full_name} is not in key stage {key_stage}.")
    staff = getattr(by, "staff", None)
    group = TargetGroup.objects.create(
        school=school,
        key_stage=key_stage,
        name=name,
        owner=staff,
        start_point=point,
        created_at=now or timezone.now(),
    )
    group.pupils.set(pupils)
    audit.record(
        action="interventions.target_group.created",
        obj=group,
        by=by,
        after={"name": name, "key_stage": key_stage, "pupils": sorted(p.pk for p in pupils)},
    )
    return group


@transaction.atomic
def target_group_set_pupils(*, group, pupils, by):
    group = TargetGroup.objects.select_for_update().get(pk=group.pk)
    wrong = [p for p in pupils if p.school_id != group.school_id or p.year_group.key_stage != group.key_stage]
    if wrong:
        raise DomainError("wrong_pupils", f"{wrong[0].full_name} is not in key stage {group.key_stage}.")
    before = sorted(group.pupils.values_list("pk", flat=True))
    after = sorted(p.pk for p in pupils)
    if after == before:
        return group  # nothing changed: nothing to record
    group.pupils.set(pupils)
    audit.record(
        action="interventions.target_group.changed",
        obj=group,
        by=by,
        before={"pupils": before},
        after={"pupils": after},
    )
    return group


def tier_for_scope(scope):
    return TIER_FOR_SCOPE.get(scope, Tier.FORM_TUTOR)
