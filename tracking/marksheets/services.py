"""Marksheets: one teaching group's grades at one assessment point.

The writes: `marksheet_save`, `sheet_reopen`, `point_reopen` (reads are in marksheets.queries, the
window rules in marksheets.windows, who may edit in tracking.permissions). A save is atomic for the
rows it is given: every cell is validated first, rows are locked with select_for_update and compared
with the version (and the values) the editor read, so a second editor never silently overwrites the
first.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from tracking import audit
from tracking.lib.db import database_busy
from tracking.lib.errors import DomainError
from tracking.marksheets.forms import clean_value
from tracking.marksheets.queries import entry_codes
from tracking.marksheets.windows import FIELDS, GRADE_FIELDS, active_reopens, window_for
from tracking.models import (
    GradeEntry,
    ReopenRequest,
    ReopenRequestStatus,
    SheetReopen,
)

# -- saving ---------------------------------------------------------------------------------------


@dataclass
class SaveResult:
    errors: dict = field(default_factory=dict)  # pupil -> field -> message
    conflicts: dict = field(default_factory=dict)  # pupil -> field -> theirs
    saved: dict = field(default_factory=dict)  # pupil -> set of fields changed
    created: int = 0
    updated: int = 0

    @property
    def ok(self):
        return not self.errors and not self.conflicts

    @property
    def cells_changed(self):
        return sum(len(v) for v in self.saved.values())


def marksheet_save(*, sheet, rows, by, via="marksheet"):
    """Save the posted rows of one sheet, all or nothing.

    Every cell is validated first; then existing rows are locked and compared with what the editor
    read. A cell someone else changed since (and the editor changed differently) is a conflict:
    nothing is saved and the result names each one. Unchanged cells write nothing.
    """
    if not sheet.editable:
        raise DomainError("closed", "This sheet is read-only: its window has closed.")
    result = SaveResult()
    cleaned = {}
    for pupil_id, row in rows.items():
        for name, text in row.values.items():
            try:
                cleaned.setdefault(pupil_id, {})[name] = clean_value(sheet.lookup, name, text)
            except DomainError as error:
                result.errors.setdefault(pupil_id, {})[name] = error.message
    if result.errors:
        return result
    for _attempt in range(2):
        try:
            return _save_locked(sheet, rows, cleaned, by, via)
        except IntegrityError:
            # Someone created one of these rows after we looked: go round again and compare with theirs.
            continue
        except OperationalError as error:
            if not database_busy(error):
                raise
            # The transaction was rolled back whole: nothing of this save was written.
            raise DomainError(
                "database-busy",
                "Nothing was saved: the database was busy with other saves. "
                "Everything you typed is still here: press Save again in a moment.",
            ) from error
    raise DomainError("busy", "The sheet is being saved by someone else. Try again.")


@transaction.atomic
def _save_locked(sheet, rows, cleaned, by, via):
    result = SaveResult()
    point, group = sheet.point, sheet.group
    existing = {
        e.pupil_id: e
        for e in GradeEntry.objects.select_for_update().filter(
            point=point, subject_id=group.subject_id, pupil_id__in=list(rows)
        )
    }
    plans = []
    for pupil_id, row in rows.items():
        entry = existing.get(pupil_id)
        theirs = entry_codes(_with_grades(entry, sheet.lookup))
        same_version = (entry.version if entry else 0) == row.version
        changes = {}
        for name, mine in cleaned.get(pupil_id, {}).items():
            if row.resolutions.get(name) == "theirs":
                continue
            was = theirs[name] if same_version else row.was.get(name)
            if was is not None and mine == was:
                continue  # not touched by this editor: keep whatever is stored now
            if mine == theirs[name]:
                continue
            if not same_version and (was is None or theirs[name] != was):
                result.conflicts.setdefault(pupil_id, {})[name] = theirs[name]
                continue
            changes[name] = mine
        if changes:
            plans.append((pupil_id, entry, theirs, changes))
    if result.conflicts:
        transaction.set_rollback(True)
        return result
    now = timezone.now()
    pupils = {p.pk: p for p in sheet.pupils}
    to_create, to_update, events = [], [], []
    for pupil_id, entry, before, changes in plans:
        creating = entry is None
        pupil = pupils[pupil_id]
        if creating:
            entry = GradeEntry(
                school_id=group.school_id,
                pupil_id=pupil_id,
                subject_id=group.subject_id,
                point=point,
                version=0,
            )
        for name, code in changes.items():
            if name in GRADE_FIELDS:
                setattr(entry, name, sheet.lookup.parse(code))
            elif name == "effort":
                entry.effort = int(code) if code else None
            else:
                setattr(entry, name, code)
        entry.pupil = pupil  # already in memory: the audit rows need it without a query each
        entry.teaching_group = group
        entry.updated_by = by
        entry.updated_at = now
        entry.version += 1
        (to_create if creating else to_update).append(entry)
        result.saved[pupil_id] = set(changes)
        events.append((creating, entry, before))
    if to_create:
        GradeEntry.objects.bulk_create(to_create)
    if to_update:
        GradeEntry.objects.bulk_update(
            to_update, [*FIELDS, "teaching_group", "updated_by", "updated_at", "version"]
        )
    audit.record_many(
        [
            {
                "action": "tracking.grade.created" if creating else "tracking.grade.changed",
                "obj": entry,
                "by": by,
                "before": {} if creating else before,
                "after": entry_codes(entry),
                "via": via,
                "pupil": entry.pupil,
                "note": f"{group.name} · {point.name}",
                "school": group.school,
            }
            for creating, entry, before in events
        ]
    )
    result.created, result.updated = len(to_create), len(to_update)
    for entry in [*to_create, *to_update]:
        sheet.entries[entry.pupil_id] = entry
    return result


def _with_grades(entry, lookup):
    if entry is not None:
        entry.current = lookup.by_id(entry.current_id) if entry.current_id else None
        entry.predicted = lookup.by_id(entry.predicted_id) if entry.predicted_id else None
    return entry


# -- reopening ------------------------------------------------------------------------------------


def _reopen(*, point, group, until, reason, by):
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", "Give a reason: it is kept in the audit trail.")
    if until < timezone.localdate():
        raise DomainError("until", "The reopen date must be today or later.")
    with transaction.atomic():
        reopen = SheetReopen.objects.create(
            school_id=point.school_id, point=point, teaching_group=group, until=until, reason=reason, by=by
        )
        audit.record(
            action="tracking.sheet.reopened" if group else "tracking.point.reopened",
            obj=reopen,
            by=by,
            after={
                "point": point.name,
                "group": group.name if group else "all groups",
                "until": until.isoformat(),
            },
            via="marksheet",
            note=reason,
        )
    return reopen


def sheet_reopen(*, point, group, until, reason, by):
    """Reopen one group's sheet at a point for teachers until a date (audited)."""
    return _reopen(point=point, group=group, until=until, reason=reason, by=by)


def point_reopen(*, point, until, reason, by):
    """Reopen every sheet at a point until a date (audited)."""
    return _reopen(point=point, group=None, until=until, reason=reason, by=by)


# -- requests to reopen a verified sheet ----------------------------------------------------------

MAX_REOPEN_DAYS = 56


@transaction.atomic
def reopen_request_create(*, point, group, reason, by, now=None):
    """A teacher or head of department asks the data manager to reopen a sheet they can no longer edit
    (verified and locked, or its window closed). One request waits per sheet; audited."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("reason", "Say why the sheet needs reopening: the data manager decides on it.")
    window = window_for(point, active_reopens(point, group))
    if window.is_open:
        raise DomainError("open", "This sheet is open for entry: change the grades on it, no request needed.")
    if window.state == "future":
        raise DomainError("future", window.message)
    if ReopenRequest.objects.filter(
        point=point, teaching_group=group, status=ReopenRequestStatus.PENDING
    ).exists():
        raise DomainError(
            "waiting", "A request to reopen this sheet is already waiting for the data manager."
        )
    request = ReopenRequest.objects.create(
        school_id=point.school_id, point=point, teaching_group=group, reason=reason[:300], requested_by=by,
        requested_at=now or timezone.now(),
    )  # fmt: skip
    audit.record(
        action="tracking.sheet.reopen_requested",
        obj=request,
        by=by,
        after={"point": point.name, "group": group.name},
        via="marksheet",
        note=request.reason,
    )
    return request


@transaction.atomic
def reopen_request_decide(*, request, approve, by, until=None, note="", now=None):
    """The data manager approves a request (the sheet reopens until `until`, through sheet_reopen and its
    audit row) or declines it with a note for the requester. Audited either way."""
    request = (
        ReopenRequest.objects.select_for_update(of=("self",))
        .select_related("point", "teaching_group", "requested_by")
        .get(pk=request.pk)
    )
    if request.status != ReopenRequestStatus.PENDING:
        raise DomainError(
            "decided", f"This request was already decided: {request.get_status_display().lower()}."
        )
    note = " ".join((note or "").split())[:300]
    today = timezone.localdate()
    reopen = None
    if approve:
        if until is None or until < today:
            raise DomainError("until", "Choose the day the sheet stays open until: today or later.")
        if (until - today).days > MAX_REOPEN_DAYS:
            raise DomainError("until", "Reopen for at most 8 weeks at a time.")
        who = request.requested_by.display_name if request.requested_by else "a teacher"
        reopen = sheet_reopen(
            point=request.point, group=request.teaching_group, until=until, by=by,
            reason=f"Requested by {who}: {request.reason}"[:200],
        )  # fmt: skip
    elif not note:
        raise DomainError("note", "Say why the request is declined: the teacher reads it.")
    request.status = ReopenRequestStatus.APPROVED if approve else ReopenRequestStatus.DECLINED
    request.decided_by, request.decided_at, request.note, request.reopen = (
        by,
        now or timezone.now(),
        note,
        reopen,
    )
    request.save(update_fields=["status", "decided_by", "decided_at", "note", "reopen"])
    audit.record(
        action=f"tracking.sheet.reopen_request.{request.status}",
        obj=request,
        by=by,
        before={"status": ReopenRequestStatus.PENDING},
        after={"status": request.status} | ({"until": until.isoformat()} if approve else {}),
        via="marksheet",
        note=note,
    )
    return request
