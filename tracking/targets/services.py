"""Targets: the agree -> publish -> change workflow, raise proposals, curricular targets.

Generation is in targets.generation, reads for pages in targets.queries.

Every transition is audited against the target (action tracking.target.*), so a target's history is
its audit trail. Writes are keyword-only `<noun>_<verb>` services.

Workflow (Longfield): generated or proposed by a teacher -> agreed by SLT -> published (the only state
families, reports and middle leaders' views use, through `published_grade`) -> a head of department
requests a change with a reason (the published grade stays visible) -> the Data Verification Team
(SLT + data manager, see permissions.is_verification_team) approves with a grade or rejects.
Above-target pupils (Hurworth) get a raise *proposal*; accepting one re-enters the workflow as proposed.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tracking import audit, standing
from tracking.lib.errors import DomainError
from tracking.models import (
    AssessmentPoint,
    CurricularTarget,
    GradeEntry,
    Pupil,
    RaiseStatus,
    Target,
    TargetRaiseProposal,
    TargetSource,
    TargetStatus,
)

EDITABLE = (TargetStatus.PROPOSED,)


def _snapshot(target):
    return {
        "grade": target.grade.code if target.grade_id else None,
        "status": target.status,
        "published_grade": target.published_grade.code if target.published_grade_id else None,
    }


def _event(action, target, by, before, note="", via=""):
    return {
        "action": f"tracking.target.{action}",
        "obj": target,
        "by": by,
        "before": before,
        "after": _snapshot(target),
        "pupil": Pupil(pk=target.pupil_id),
        "note": note,
        "via": via,
    }


# -- the workflow ------------------------------------------------------------------------------
@transaction.atomic
def target_propose(*, pupil, subject, grade, by, reason=""):
    """A teacher's proposed target (Laude: set with the pupil). Only while nothing is agreed yet."""
    if grade is None or grade.scale_id not in (subject.scale_id, subject.ks3_scale_id):
        raise DomainError("invalid", f"Choose a grade on the {subject.scale} scale.")
    target = Target.objects.select_for_update(of=("self",)).filter(pupil=pupil, subject=subject).first()
    if target is None:
        target = Target.objects.create(
            school=pupil.school,
            pupil=pupil,
            subject=subject,
            grade=grade,
            source=TargetSource.TEACHER,
            source_detail=by.display_name[:100] if by else "",
        )
        audit.record(**_event("proposed", target, by, {}, note=reason, via="target page"))
        return target
    if target.status not in EDITABLE:
        raise DomainError(
            "locked",
            f"This target is already {target.get_status_display().lower()}; "
            "the head of department can request a change.",
        )
    before = _snapshot(target)
    target.grade, target.source = grade, TargetSource.TEACHER
    target.source_detail = by.display_name[:100] if by else ""
    target.save()
    audit.record(**_event("proposed", target, by, before, note=reason, via="target page"))
    return target


def _transition(targets, *, from_status, to_status, action, by, publish=False):
    chosen = list(
        Target.objects.select_for_update(of=("self",))
        .filter(pk__in=[t.pk for t in targets], status=from_status)
        .select_related("grade", "published_grade")
    )
    events = []
    now = timezone.now()
    for target in chosen:
        before = _snapshot(target)
        target.status = to_status
        target.updated_at = now
        if publish:
            target.published_grade = target.grade
        events.append(_event(action, target, by, before, via="target approval"))
    # One UPDATE for the lot: every chosen target moves to the same status (bulk_update's per-row CASE
    # took seconds for a school's few thousand targets).
    changes = {"status": to_status, "updated_at": now}
    if publish:
        changes["published_grade"] = F("grade")
    Target.objects.filter(pk__in=[t.pk for t in chosen]).update(**changes)
    audit.record_many(events)
    return len(chosen)


@transaction.atomic
def target_agree(*, targets, by):
    """SLT agree proposed targets (others in the list are left alone). Returns how many changed."""
    return _transition(
        targets, from_status=TargetStatus.PROPOSED, to_status=TargetStatus.AGREED, action="agreed", by=by
    )


@transaction.atomic
def target_publish(*, targets, by):
    """Publish agreed targets: from now on families, reports and middle leaders see the grade."""
    return _transition(
        targets,
        from_status=TargetStatus.AGREED,
        to_status=TargetStatus.PUBLISHED,
        action="published",
        by=by,
        publish=True,
    )


def _lock(target):
    return (
        Target.objects.select_for_update(of=("self",))
        .select_related("grade", "published_grade", "subject")
        .get(pk=target.pk)
    )


@transaction.atomic
def target_request_change(*, target, grade, reason, by):
    """A head of department asks the Data Verification Team to change a published target."""
    target = _lock(target)
    reason = (reason or "").strip()
    if target.status != TargetStatus.PUBLISHED:
        raise DomainError("state", "Only a published target can have a change requested.")
    if not reason:
        raise DomainError("reason", "Give a reason for the change.")
    if grade is None or grade.scale_id != target.grade.scale_id:
        raise DomainError("grade", "Choose a grade on the subject's scale.")
    if grade.pk == target.published_grade_id:
        raise DomainError("grade", f"The target is already {grade}.")
    before = _snapshot(target)
    target.status = TargetStatus.CHANGE_REQUESTED
    target.requested_grade, target.request_reason = grade, reason[:500]
    target.requested_by, target.requested_at = by, timezone.now()
    target.save()
    event = _event("change_requested", target, by, before, note=reason, via="change request")
    event["after"]["requested_grade"] = grade.code
    audit.record(**event)
    return target


@transaction.atomic
def target_decide_change(*, target, approve, reason, by, grade=None):
    """The Data Verification Team approves a requested change (with the requested or another grade)
    or rejects it; either way with a reason. The target returns to published."""
    target = _lock(target)
    reason = (reason or "").strip()
    if target.status != TargetStatus.CHANGE_REQUESTED:
        raise DomainError("state", "There is no change request waiting on this target.")
    if not reason:
        raise DomainError("reason", "Give a reason for the decision.")
    before = _snapshot(target)
    before["requested_grade"] = target.requested_grade.code if target.requested_grade_id else None
    if approve:
        new = grade or target.requested_grade
        if new is None or new.scale_id != target.grade.scale_id:
            raise DomainError("grade", "Choose a grade on the subject's scale.")
        target.grade = target.published_grade = new
    target.status = TargetStatus.PUBLISHED
    target.requested_grade, target.request_reason, target.requested_by, target.requested_at = (
        None,
        "",
        None,
        None,
    )
    target.save()
    action = "change_approved" if approve else "change_rejected"
    audit.record(**_event(action, target, by, before, note=reason, via="verification team"))
    return target


# -- above target: raise proposals -------------------------------------------------------------
def targets_propose_raises(*, point, by=None, pupils=None, limit=None):
    """Propose a raised target for every pupil above target at an assessment point (Hurworth).

    Above is tracking.standing's: the grade that counts beats the grade expected now (from the published
    target and the flight path) by the school's threshold; the proposal raises the published target by
    as many grades. Never changes a target: creates proposals for review. Returns count.
    `pupils` narrows the check (a queryset or ids); `limit` caps how many are proposed.
    """
    point = AssessmentPoint.objects.select_related("year_group", "school").get(pk=point.pk)
    entries = (
        GradeEntry.objects.filter(point=point)
        .filter(Q(current__isnull=False) | Q(predicted__isnull=False))
        .order_by("pupil_id", "subject_id")
    )
    if pupils is not None:
        entries = entries.filter(pupil__in=pupils)
    targets = {
        (t.pupil_id, t.subject_id): t
        for t in Target.objects.filter(
            school_id=point.school_id, pupil__year_group_id=point.year_group_id
        ).select_related("grade", "published_grade", "requested_grade")
    }
    already = set(
        TargetRaiseProposal.objects.filter(
            Q(point=point) | Q(status=RaiseStatus.OPEN), target__in=[t.pk for t in targets.values()]
        ).values_list("target_id", flat=True)
    )
    book = standing.Book(point.school)
    proposals = []
    for entry in entries:
        target = targets.get((entry.pupil_id, entry.subject_id))
        # A target with a change on its way (a request, an accepted raise not yet published) waits.
        if target is None or target.pk in already or standing.pending_target(target) is not None:
            continue
        result = book.judge(
            point,
            current=book.value(entry.current_id),
            predicted=book.value(entry.predicted_id),
            target=target,
        )
        if result.status != standing.ABOVE:
            continue
        published = result.target
        proposed = standing.grade_at_step(book.values(published.scale_id), published.step + result.diff)
        if proposed is None or proposed.step <= published.step:
            continue  # already at the top of the scale
        if limit is not None and len(proposals) >= limit:
            break
        proposals.append(
            TargetRaiseProposal(
                school_id=point.school_id,
                target=target,
                point=point,
                achieved=result.grade,
                proposed_grade=proposed,
            )
        )
    with transaction.atomic():
        TargetRaiseProposal.objects.bulk_create(proposals, batch_size=1000)
        events = []
        for proposal in proposals:
            event = _event(
                "raise_proposed",
                proposal.target,
                by,
                _snapshot(proposal.target),
                note=f"{proposal.achieved} at {point.name}: proposed {proposal.proposed_grade}",
                via="above-target check",
            )
            event["after"]["proposed_grade"] = proposal.proposed_grade.code
            events.append(event)
        audit.record_many(events)
    return len(proposals)


def _lock_proposal(proposal):
    proposal = (
        TargetRaiseProposal.objects.select_for_update(of=("self",))
        .select_related("target__grade", "target__published_grade", "proposed_grade", "point")
        .get(pk=proposal.pk)
    )
    if proposal.status != RaiseStatus.OPEN:
        raise DomainError("state", "This proposal has already been reviewed.")
    return proposal


@transaction.atomic
def target_raise_accept(*, proposal, by, reason=""):
    """Accept a proposed raise: the target becomes the raised grade, *proposed* again, so SLT agree and
    publish it as usual. Families keep seeing the published grade until then."""
    proposal = _lock_proposal(proposal)
    target = proposal.target
    if target.status == TargetStatus.CHANGE_REQUESTED:
        raise DomainError("state", "Decide the pending change request on this target first.")
    before = _snapshot(target)
    target.grade = proposal.proposed_grade
    target.source = TargetSource.RAISED
    target.source_detail = f"Above target at {proposal.point.name}"[:100]
    target.status = TargetStatus.PROPOSED
    target.save()
    proposal.status, proposal.decided_by, proposal.decided_at = RaiseStatus.ACCEPTED, by, timezone.now()
    proposal.reason = reason[:500]
    proposal.save()
    audit.record(**_event("raise_accepted", target, by, before, note=reason, via="raise proposals"))
    return target


@transaction.atomic
def target_raise_dismiss(*, proposal, by, reason=""):
    proposal = _lock_proposal(proposal)
    if not reason.strip():
        raise DomainError("reason", "Give a reason for keeping the target as it is.")
    proposal.status, proposal.decided_by, proposal.decided_at = RaiseStatus.DISMISSED, by, timezone.now()
    proposal.reason = reason[:500]
    proposal.save()
    target = proposal.target
    audit.record(
        **_event("raise_dismissed", target, by, _snapshot(target), note=reason, via="raise proposals")
    )
    return proposal


# -- curricular targets ------------------------------------------------------------------------
@transaction.atomic
def curricular_target_create(
    *, text, horizon, review_on, by, pupil=None, group=None, form=None, subject=None, share_with_family=True
):
    text = (text or "").strip()
    if not text:
        raise DomainError("text", "Write the target.")
    owners = [o for o in (pupil, group, form) if o is not None]
    if len(owners) != 1:
        raise DomainError("invalid", "A curricular target is for one pupil, one teaching group or one form.")
    owner = owners[0]
    if group is not None and subject is None:
        subject = group.subject
    target = CurricularTarget.objects.create(
        school_id=owner.school_id,
        pupil=pupil,
        teaching_group=group,
        form=form,
        subject=subject,
        text=text[:300],
        horizon=horizon,
        review_on=review_on,
        share_with_family=share_with_family,
        created_by=by,
    )
    audit.record(
        action="tracking.curricular_target.created",
        obj=target,
        by=by,
        after={
            "text": target.text,
            "horizon": horizon,
            "review_on": str(review_on),
            "shared": share_with_family,
        },
        pupil=pupil,
        via="curricular targets",
    )
    return target


def propose_raises_when_verified(sender, cycle, stage, **kwargs):
    """cycle_stage_entered receiver: once a cycle's data is verified (the health-check stage), pupils
    above target at its points get raise proposals for review. Runs in the transition's transaction."""
    if stage != "health_check":
        return
    for point in cycle.points.all():
        targets_propose_raises(point=point, by=None)
