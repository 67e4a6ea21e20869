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
from tracking.marksheets.windows import FIELDS, GRADE_FIELDS
from tracking.models import (
    GradeEntry,
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
