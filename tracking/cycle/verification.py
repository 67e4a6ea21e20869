"""The verification stage: departments sign off, sheets are sent back and resubmitted."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tracking import audit
from tracking.cycle.tasks import send_sheet_returned_email
from tracking.lib.errors import DomainError
from tracking.lib.queue import safe_enqueue
from tracking.marksheets import services
from tracking.models import (
    DepartmentSignOff,
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
