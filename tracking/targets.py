"""Targets: generating them, the agree -> publish -> change workflow, raise proposals, curricular targets.

Every transition is audited against the target (action tracking.target.*), so a target's history is
its audit trail. Writes are keyword-only `<noun>_<verb>` services; reads for pages sit at the end.

Workflow (Longfield): generated or proposed by a teacher -> agreed by SLT -> published (the only state
families, reports and middle leaders' views use, through `published_grade`) -> a head of department
requests a change with a reason (the published grade stays visible) -> the Data Verification Team
(SLT + data manager, see permissions.is_verification_team) approves with a grade or rejects.
Above-target pupils (Hurworth) get a raise *proposal*; accepting one re-enters the workflow as proposed.
"""

import json
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from . import audit
from .flightpaths import FlightPathTable, expected_path, whole_grade_for_step
from .models import (
    AssessmentPoint,
    AuditEvent,
    CurricularTarget,
    FlightPath,
    GradeEntry,
    GradeValue,
    Pupil,
    RaiseStatus,
    Subject,
    Target,
    TargetRaiseProposal,
    TargetSource,
    TargetStatus,
    TeachingGroup,
)

SOURCE_FLIGHT_PATH, SOURCE_FFT = "flightpath", "fft"
EDITABLE = (TargetStatus.PROPOSED,)


class TargetError(Exception):
    """A refused change, with a message for the person who asked."""

    def __init__(self, message, code="invalid"):
        self.message, self.code = message, code
        super().__init__(message)


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


# -- generation --------------------------------------------------------------------------------
@dataclass
class GenerateResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # already agreed or published: generation never overwrites those
    skipped: int = 0  # no KS2 data / no flight path

    @property
    def total(self):
        return self.created + self.updated


def _pairs_taken(school, year_group):
    """(pupil_id, subject_id) for every subject each pupil in the year studies this year."""
    through = TeachingGroup.pupils.through
    return set(
        through.objects.filter(
            teachinggroup__school=school,
            teachinggroup__year_group=year_group,
            teachinggroup__academic_year__is_current=True,
            pupil__is_active=True,
        ).values_list("pupil_id", "teachinggroup__subject_id")
    )


def target_generate(*, school, year_group, source, by, estimates=None, detail="", dry_run=False):
    """Targets for every pupil in a year group in every subject they take (flight path), or for every
    row of parsed FFT estimates ({(pupil_id, subject_id): GradeValue}).

    Generated proposals are regenerated; agreed and published targets, and proposals a teacher made or
    a raise produced, are kept. Bulk: a few queries
    whatever the size of the year. `dry_run` returns the counts for the preview without saving.
    """
    result = GenerateResult()
    if source == SOURCE_FFT:
        if not estimates:
            raise TargetError("Upload an FFT estimates file first.")
        wanted = dict(estimates)
        detail = detail or "FFT"
        target_source = TargetSource.FFT
    elif source == SOURCE_FLIGHT_PATH:
        table = FlightPathTable(school)
        ks2 = {
            pk: [s for s in (r, m) if s is not None]
            for pk, r, m in Pupil.objects.filter(
                school=school, year_group=year_group, is_active=True
            ).values_list("pk", "ks2_reading", "ks2_maths")
        }
        wanted = {}
        for pupil_id, subject_id in _pairs_taken(school, year_group):
            scores = ks2.get(pupil_id)
            grade = table.grade_for(subject_id, sum(scores) / len(scores) if scores else None)
            if grade is None:
                result.skipped += 1
            else:
                wanted[(pupil_id, subject_id)] = grade
        target_source = TargetSource.FLIGHT_PATH
        detail = detail or "Flight path (KS2)"
    else:
        raise TargetError(f"Unknown source '{source}'.")
    # Plain tuples, not model instances: a whole school's targets are compared here.
    existing = {
        (row[1], row[2]): row
        for row in Target.objects.filter(school=school, pupil__year_group=year_group).values_list(
            "pk",
            "pupil_id",
            "subject_id",
            "status",
            "grade_id",
            "source",
            "source_detail",
            "published_grade_id",
        )
    }
    codes = dict(GradeValue.objects.filter(scale__school=school).values_list("pk", "code"))
    detail = detail[:100]
    creates, updates = [], []
    for (pupil_id, subject_id), grade in wanted.items():
        row = existing.get((pupil_id, subject_id))
        if row is None:
            creates.append(_NewTarget(school.pk, pupil_id, subject_id, grade.pk, target_source, detail))
            continue
        pk, _, _, status, grade_id, source_, detail_, published_id = row
        if status not in EDITABLE or source_ in (TargetSource.TEACHER, TargetSource.RAISED):
            result.kept += 1  # agreed or published, or a person's own proposal: never overwritten
        elif grade_id == grade.pk and source_ == target_source and detail_ == detail:
            result.unchanged += 1
        else:
            before = {
                "grade": codes.get(grade_id),
                "status": status,
                "published_grade": codes.get(published_id),
            }
            target = _NewTarget(school.pk, pupil_id, subject_id, grade.pk, target_source, detail, status, pk)
            updates.append((target, before))
    result.created, result.updated = len(creates), len(updates)
    if dry_run:
        return result
    with transaction.atomic():
        now = timezone.now()
        stamp = connection.ops.adapt_datetimefield_value(now)
        _insert_rows(
            Target,
            [
                {
                    "school_id": t.school_id,
                    "pupil_id": t.pupil_id,
                    "subject_id": t.subject_id,
                    "grade_id": t.grade_id,
                    "source": t.source,
                    "source_detail": t.source_detail,
                    "status": t.status,
                    "published_grade_id": None,
                    "requested_grade_id": None,
                    "request_reason": "",
                    "requested_by_id": None,
                    "requested_at": None,
                    "updated_at": stamp,
                }
                for t in creates
            ],
        )
        # One UPDATE per (grade, source) rather than a CASE per row: regenerating a year stays fast.
        by_change = defaultdict(list)
        for target, _ in updates:
            by_change[(target.grade_id, target.source, target.source_detail)].append(target.pk)
        for (grade_id, source_, detail_), pks in by_change.items():
            for start in range(0, len(pks), 900):
                Target.objects.filter(pk__in=pks[start : start + 900]).update(
                    grade_id=grade_id, source=source_, source_detail=detail_, updated_at=now
                )
        if creates:
            ids = dict(
                (
                    ((p, s), pk)
                    for pk, p, s in Target.objects.filter(
                        school=school, pupil__year_group=year_group, status=TargetStatus.PROPOSED
                    ).values_list("pk", "pupil_id", "subject_id")
                )
            )
            for target in creates:
                target.pk = ids[(target.pupil_id, target.subject_id)]
        rows = [_audit_row(t, "generated", by, {}, codes, stamp, detail) for t in creates] + [
            _audit_row(t, "regenerated", by, b, codes, stamp, detail) for t, b in updates
        ]
        _insert_rows(AuditEvent, rows)
    return result


def _audit_row(target, action, by, before, codes, now, note):
    """An AuditEvent row for bulk generation, written with _insert_rows (same shape as audit.record)."""
    after = {
        "grade": codes[target.grade_id],
        "status": target.status,
        "published_grade": before.get("published_grade"),
    }
    return {
        "school_id": target.school_id,
        "at": now,
        "by_id": by.pk if by is not None and by.is_authenticated else None,
        "action": f"tracking.target.{action}",
        "via": "target generation",
        "object_type": "tracking.target",
        "object_id": str(target.pk),
        "pupil_id": target.pupil_id,
        "before": json.dumps(before),
        "after": json.dumps(after),
        "note": note[:500],
    }


@dataclass(slots=True)
class _NewTarget:
    """A target about to be inserted: model instances cost most of the generation budget."""

    school_id: int
    pupil_id: int
    subject_id: int
    grade_id: int
    source: str
    source_detail: str
    status: str = TargetStatus.PROPOSED
    pk: int | None = None


def _insert_rows(model, rows, batch=2000):
    """INSERT plain rows (column -> database-ready value) in batches with executemany.

    Generation writes tens of thousands of targets and audit rows; building model instances for
    bulk_create cost most of the 3 s budget. Values are ints, strings, None, JSON text and a
    timestamp already adapted with connection.ops.adapt_datetimefield_value.
    """
    if not rows:
        return
    columns = list(rows[0])
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, [[r[c] for c in columns] for r in rows[start : start + batch]])


# -- the workflow ------------------------------------------------------------------------------
@transaction.atomic
def target_propose(*, pupil, subject, grade, by, reason=""):
    """A teacher's proposed target (Laude: set with the pupil). Only while nothing is agreed yet."""
    if grade is None or grade.scale_id not in (subject.scale_id, subject.ks3_scale_id):
        raise TargetError(f"Choose a grade on the {subject.scale} scale.")
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
        raise TargetError(
            f"This target is already {target.get_status_display().lower()}; "
            "the head of department can request a change.",
            code="locked",
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
    fields = ["status", "updated_at"] + (["published_grade"] if publish else [])
    Target.objects.bulk_update(chosen, fields, batch_size=1000)
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
        raise TargetError("Only a published target can have a change requested.", code="state")
    if not reason:
        raise TargetError("Give a reason for the change.", code="reason")
    if grade is None or grade.scale_id != target.grade.scale_id:
        raise TargetError("Choose a grade on the subject's scale.", code="grade")
    if grade.pk == target.published_grade_id:
        raise TargetError(f"The target is already {grade}.", code="grade")
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
        raise TargetError("There is no change request waiting on this target.", code="state")
    if not reason:
        raise TargetError("Give a reason for the decision.", code="reason")
    before = _snapshot(target)
    before["requested_grade"] = target.requested_grade.code if target.requested_grade_id else None
    if approve:
        new = grade or target.requested_grade
        if new is None or new.scale_id != target.grade.scale_id:
            raise TargetError("Choose a grade on the subject's scale.", code="grade")
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

    KS4: the predicted (else current) grade beats the target. KS3: the current grade beats the
    grade expected at this point on the subject's flight path; the proposal raises the target by
    the same number of grades. Never changes a target: creates proposals for review. Returns count.
    `pupils` narrows the check (a queryset or ids); `limit` caps how many are proposed.
    """
    point = AssessmentPoint.objects.select_related("year_group").get(pk=point.pk)
    ks3 = point.year_group.number <= 9
    entries = (
        GradeEntry.objects.filter(point=point)
        .filter(Q(current__isnull=False) | Q(predicted__isnull=False))
        .select_related("current", "predicted")
        .order_by("pupil_id", "subject_id")
    )
    if pupils is not None:
        entries = entries.filter(pupil__in=pupils)
    targets = {
        (t.pupil_id, t.subject_id): t
        for t in Target.objects.filter(
            school_id=point.school_id, pupil__year_group_id=point.year_group_id
        ).select_related("grade", "published_grade")
    }
    already = set(
        TargetRaiseProposal.objects.filter(
            Q(point=point) | Q(status=RaiseStatus.OPEN), target__in=[t.pk for t in targets.values()]
        ).values_list("target_id", flat=True)
    )
    values = defaultdict(list)
    for value in GradeValue.objects.filter(scale__school_id=point.school_id):
        values[value.scale_id].append(value)
    paths = {p.subject_id: p for p in FlightPath.objects.filter(school_id=point.school_id)}
    year_points = list(
        AssessmentPoint.objects.filter(
            academic_year_id=point.academic_year_id, year_group_id=point.year_group_id
        ).select_related("year_group")
    )
    proposals = []
    for entry in entries:
        target = targets.get((entry.pupil_id, entry.subject_id))
        if target is None or target.pk in already or target.status == TargetStatus.CHANGE_REQUESTED:
            continue
        scale_values = values[target.grade.scale_id]
        if ks3:
            achieved = entry.current
            path = expected_path(
                flight_path=paths.get(target.subject_id),
                target_grade=target.grade,
                scale_values=scale_values,
                points=year_points,
            )
            expected = next((g for p, g in path if p.pk == point.pk), None)
            if achieved is None or expected is None or achieved.scale_id != target.grade.scale_id:
                continue
            lift = achieved.step - expected.step
        else:
            achieved = entry.predicted or entry.current
            if achieved.scale_id != target.grade.scale_id:
                continue
            lift = achieved.step - target.grade.step
        if lift <= 0:
            continue
        proposed = whole_grade_for_step(scale_values, target.grade.step + lift)
        if proposed is None or proposed.step <= target.grade.step:
            continue  # already at the top of the scale
        if limit is not None and len(proposals) >= limit:
            break
        proposals.append(
            TargetRaiseProposal(
                school_id=point.school_id,
                target=target,
                point=point,
                achieved=achieved,
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
        raise TargetError("This proposal has already been reviewed.", code="state")
    return proposal


@transaction.atomic
def target_raise_accept(*, proposal, by, reason=""):
    """Accept a proposed raise: the target becomes the raised grade, *proposed* again, so SLT agree and
    publish it as usual. Families keep seeing the published grade until then."""
    proposal = _lock_proposal(proposal)
    target = proposal.target
    if target.status == TargetStatus.CHANGE_REQUESTED:
        raise TargetError("Decide the pending change request on this target first.", code="state")
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
        raise TargetError("Give a reason for keeping the target as it is.", code="reason")
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
        raise TargetError("Write the target.", code="text")
    owners = [o for o in (pupil, group, form) if o is not None]
    if len(owners) != 1:
        raise TargetError("A curricular target is for one pupil, one teaching group or one form.")
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


# -- reads -------------------------------------------------------------------------------------
def curricular_targets_for(pupil, *, family=False):
    """A pupil's curricular targets: their own, their current teaching groups' and their form's.

    `family=True` (parent page, reports) keeps only those shared with the family.
    """
    groups = TeachingGroup.objects.filter(pupils=pupil, academic_year__is_current=True).values("pk")
    scope = Q(pupil=pupil) | Q(teaching_group__in=groups)
    if pupil.form_id:
        scope |= Q(form_id=pupil.form_id)
    qs = CurricularTarget.objects.filter(scope, school_id=pupil.school_id).select_related(
        "subject", "teaching_group", "form", "created_by"
    )
    if family:
        qs = qs.filter(share_with_family=True)
    return list(qs.order_by("review_on", "pk"))


def pupil_targets(pupil, *, family):
    """Rows for the pupil page: subject, the grade to show, status and (KS3) the expected path.

    Families only ever get published grades; staff see the working grade and its status.
    """
    qs = Target.objects.filter(pupil=pupil).select_related(
        "subject", "grade", "published_grade", "requested_grade"
    )
    if family:
        qs = qs.filter(published_grade__isnull=False)
    targets = sorted(qs, key=lambda t: t.subject.name)
    ks3 = pupil.year_group.number <= 9
    points, paths, values = [], {}, defaultdict(list)
    if ks3 and targets:
        points = list(
            AssessmentPoint.objects.filter(
                year_group_id=pupil.year_group_id, academic_year__is_current=True
            ).select_related("year_group")
        )
        paths = {p.subject_id: p for p in FlightPath.objects.filter(school_id=pupil.school_id)}
        for value in GradeValue.objects.filter(scale_id__in={t.grade.scale_id for t in targets}):
            values[value.scale_id].append(value)
    rows = []
    for target in targets:
        shown = target.published_grade if family else target.grade
        path = []
        if ks3:
            path = expected_path(
                flight_path=paths.get(target.subject_id),
                target_grade=shown,
                scale_values=values[shown.scale_id],
                points=points,
            )
        rows.append({"target": target, "subject": target.subject, "grade": shown, "path": path})
    return {"rows": rows, "points": sorted(points, key=lambda p: p.sequence)}


def approval_grid(targets_qs, pupils_qs, *, subject_id=None, status=None):
    """The approval screen: pupils x subjects with their targets, in a fixed number of queries."""
    targets = targets_qs.select_related("grade", "published_grade", "requested_grade")
    if subject_id:
        targets = targets.filter(subject_id=subject_id)
    if status:
        targets = targets.filter(status=status)
    targets = list(targets)
    subject_ids = {t.subject_id for t in targets}
    subjects = list(Subject.objects.filter(pk__in=subject_ids).order_by("name"))
    by_pupil = defaultdict(dict)
    labels = dict(TargetStatus.choices)
    for target in targets:
        target.status_label = labels[target.status]
        by_pupil[target.pupil_id][target.subject_id] = target
    pupils = [
        p
        for p in pupils_qs.select_related("form").order_by("legal_last_name", "legal_first_name")
        if p.pk in by_pupil
    ]
    rows = [(p, [by_pupil[p.pk].get(s.pk) for s in subjects]) for p in pupils]
    counts = defaultdict(int)
    for target in targets:
        counts[target.status] += 1
    return subjects, rows, dict(counts)


def status_counts(targets_qs):
    return dict(targets_qs.values_list("status").annotate(n=Count("pk")).order_by())


ACTION_LABELS = {
    "imported": "Imported",
    "generated": "Generated",
    "regenerated": "Regenerated",
    "proposed": "Proposed by teacher",
    "agreed": "Agreed by SLT",
    "published": "Published",
    "change_requested": "Change requested",
    "change_approved": "Change approved",
    "change_rejected": "Change rejected",
    "raise_proposed": "Raise proposed",
    "raise_accepted": "Raise accepted",
    "raise_dismissed": "Raise dismissed",
}


def target_history(target):
    """The target's audit trail, newest first, with readable action and status words."""
    statuses = dict(TargetStatus.choices)
    events = list(audit.history_for(target))
    for event in events:
        event.label = ACTION_LABELS.get(event.action.rsplit(".", 1)[-1], event.action)
        event.status_before = statuses.get((event.before or {}).get("status"), "")
        event.status_after = statuses.get((event.after or {}).get("status"), "")
    return events


def propose_raises_when_verified(sender, cycle, stage, **kwargs):
    """cycle_stage_entered receiver: once a cycle's data is verified (the health-check stage), pupils
    above target at its points get raise proposals for review. Runs in the transition's transaction."""
    if stage != "health_check":
        return
    for point in cycle.points.all():
        targets_propose_raises(point=point, by=None)
