"""The verification stage: departments sign off, sheets are sent back and resubmitted, and what was
verified becomes what families see (`grades_verify`, `sheet_verify`)."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tracking import audit
from tracking.cycle.tasks import send_sheet_returned_email
from tracking.lib.errors import DomainError
from tracking.lib.queue import safe_enqueue
from tracking.marksheets import services
from tracking.models import (
    DepartmentSignOff,
    GradeEntry,
    SheetReopen,
    SheetReturn,
    SignOffStatus,
    Stage,
)

# -- verification --------------------------------------------------------------------------------


def _must_be_verifying(cycle):
    if cycle.stage != Stage.VERIFICATION:
        raise DomainError("not_verifying", "Data can only be signed off while the cycle is at verification.")


@transaction.atomic
def department_sign_off(*, cycle, department, by, is_slt, note="", now=None):
    """Record a head of department's (or senior leader's) sign-off of one department's data."""
    _must_be_verifying(cycle)
    now = now or timezone.now()
    signoff, _ = DepartmentSignOff.objects.update_or_create(
        cycle=cycle,
        department=department,
        by_slt=is_slt,
        defaults={"status": SignOffStatus.VERIFIED, "by": by, "at": now, "note": note[:300]},
    )
    audit.record(
        action="tracking.cycle.department_verified",
        obj=cycle,
        by=by,
        after={"department": department.name, "level": "slt" if is_slt else "hod"},
        note=note,
    )
    return signoff


@transaction.atomic
def sheet_send_back(*, cycle, group, reason, by, now=None):
    """Send one group's sheet back at verification: it reopens for its teachers, with the reason."""
    _must_be_verifying(cycle)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("no_reason", "Say why the sheet is going back, so the teacher knows what to fix.")
    point = cycle.points.filter(year_group_id=group.year_group_id).first()
    if point is None or group.academic_year_id != cycle.academic_year_id:
        raise DomainError("not_in_cycle", f"{group} has no sheet in this cycle.")
    now = now or timezone.now()
    sheet, created = SheetReturn.objects.get_or_create(
        point=point,
        teaching_group=group,
        resolved_at=None,
        defaults={"cycle": cycle, "reason": reason[:300], "by": by, "at": now},
    )
    if not created:
        sheet.reason, sheet.by, sheet.at = reason[:300], by, now
        sheet.save(update_fields=["reason", "by", "at"])
    # The sheet really reopens for its teacher (the marksheet's own reopen, so the window rules stay in one
    # place) until health checks are due.
    services.sheet_reopen(
        point=point,
        group=group,
        until=max(cycle.health_check_on, timezone.localdate(now)),
        reason=f"Sent back at verification: {reason}"[:200],
        by=by,
    )
    # The department's sign-off no longer stands while one of its sheets is out.
    DepartmentSignOff.objects.filter(cycle=cycle, department_id=group.subject.department_id).update(
        status=SignOffStatus.RETURNED
    )
    audit.record(
        action="tracking.cycle.sheet_returned",
        obj=cycle,
        by=by,
        after={"group": group.name, "reason": reason},
    )
    safe_enqueue(send_sheet_returned_email, sheet.pk)
    return sheet


@transaction.atomic
def sheet_resubmit(*, sheet, by, now=None):
    """The teacher has fixed a returned sheet: it closes again for verification."""
    sheet.resolved_at = now or timezone.now()
    sheet.save(update_fields=["resolved_at"])
    # Corrected: the sheet closes again for verification.
    yesterday = timezone.localdate(sheet.resolved_at) - timedelta(days=1)
    SheetReopen.objects.filter(
        point=sheet.point, teaching_group=sheet.teaching_group, until__gt=yesterday
    ).update(until=yesterday)
    audit.record(
        action="tracking.cycle.sheet_resubmitted",
        obj=sheet.cycle,
        by=by,
        after={"group": sheet.teaching_group.name},
    )
    return sheet


def sheet_is_reopened(point, group):
    """True while a sheet sent back at verification awaits its teacher (the marksheet asks this)."""
    return SheetReturn.objects.filter(point=point, teaching_group=group, resolved_at__isnull=True).exists()


# -- what families see: the verified snapshot ------------------------------------------------------

SNAPSHOT = {
    "verified_current": "current",
    "verified_predicted": "predicted",
    "verified_security": "security",
    "verified_effort": "effort",
}


def codes(entry, verified=False):
    """A grade entry's values, as typed, as they stand now or (`verified`) as families see them."""
    prefix = "verified_" if verified else ""
    current, predicted = getattr(entry, f"{prefix}current"), getattr(entry, f"{prefix}predicted")
    return {
        "current": current.code if current else "",
        "predicted": predicted.code if predicted else "",
        "security": getattr(entry, f"{prefix}security") or "",
        "effort": str(getattr(entry, f"{prefix}effort") or ""),
    }


def grades_verify(*, entries, by, via, now=None, note=""):
    """Make these grade entries' values what families see. Returns how many entries changed for families.

    Entries verified before whose values changed since get an audit row each (before: what families
    saw; after: what they see now); first verifications are counted in the caller's own audit row.
    Runs in the caller's transaction; one UPDATE whatever the number of entries.
    """
    now = now or timezone.now()
    locked = list(
        entries.select_for_update(of=("self",))
        .filter(verified_at__isnull=False)
        .select_related("current", "predicted", "verified_current", "verified_predicted", "pupil")
    )
    events = [
        {
            "action": "tracking.grade.verified",
            "obj": entry,
            "by": by,
            "before": codes(entry, verified=True),
            "after": codes(entry),
            "via": via,
            "pupil": entry.pupil,
            "note": note,
        }
        for entry in locked
        if entry.changed_since_verified
    ]
    changed = [event["obj"].pk for event in events]
    first = entries.filter(verified_at__isnull=True).update(
        verified_at=now, **{snap: F(live) for snap, live in SNAPSHOT.items()}
    )
    if changed:
        GradeEntry.objects.filter(pk__in=changed).update(
            verified_at=now, **{snap: F(live) for snap, live in SNAPSHOT.items()}
        )
    audit.record_many(events)
    return first + len(changed)


def verify_cycle_grades(sender, cycle, stage, **kwargs):
    """cycle_stage_entered receiver: once a cycle passes verification (health checks), its grades are
    what families see. Runs in the transition's transaction."""
    if stage != Stage.HEALTH_CHECK:
        return
    count = grades_verify(
        # The points' ids, not a subquery: an UPDATE whose WHERE reads the same table through a join can
        # be planned as a nested loop over freshly loaded rows (minutes for a school's year).
        entries=GradeEntry.objects.filter(point_id__in=list(cycle.points.values_list("pk", flat=True))),
        by=None,
        via="cycle verified",
    )
    audit.record(
        action="tracking.cycle.grades_verified",
        obj=cycle,
        by=None,
        after={"entries": count},
        note="Verified grades now reach families.",
    )


def sheet_entries(point, group):
    return GradeEntry.objects.filter(point=point, subject_id=group.subject_id, pupil__teaching_groups=group)


def sheet_changes_since_verified(point, group):
    """Entries of one sheet edited since they were verified (families still see the verified values)."""
    return [
        e for e in sheet_entries(point, group).filter(verified_at__isnull=False) if e.changed_since_verified
    ]


@transaction.atomic
def sheet_verify(*, point, group, by, now=None):
    """Verify a sheet again after it was reopened: its current grades become what families see.

    Only for a point whose data was already verified (before that, the cycle verifies every sheet).
    Returns how many entries changed for families; each is audited with what families saw before.
    """
    entries = sheet_entries(point, group)
    if not entries.filter(verified_at__isnull=False).exists():
        raise DomainError(
            "not_verified",
            "This sheet has not been through verification yet: it is verified with its cycle.",
        )
    count = grades_verify(entries=entries, by=by, via="sheet verified again", now=now)
    audit.record(
        action="tracking.marksheet.verified",
        obj=group,
        by=by,
        after={"point": point.name, "changed": count},
        note=f"{group.name} at {point.name} verified again: {count} change(s) now reach families.",
    )
    return count
