"""One way to write the audit trail. Services call it inside their own transaction."""

import json

from django.db import connection
from django.utils import timezone

from tracking.lib.bulk import insert_rows
from tracking.models import AuditEvent


def _event(
    *, action, obj, by, before=None, after=None, via="", pupil=None, note="", school=None, school_id=None
):
    if school is not None:
        school_id = school.pk
    elif school_id is None:
        school_id = getattr(obj, "school_id", None)
    return AuditEvent(
        school_id=school_id,
        by=by if by is not None and by.is_authenticated else None,
        action=action,
        via=via,
        # Security events may concern no stored object (a sign-in with a name no account has).
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        pupil=pupil,
        before=before or {},
        after=after or {},
        note=note[:500],
    )


def _row(
    *, at, action, obj, by, before=None, after=None, via="", pupil=None, pupil_id=None, note="", school=None
):
    return {
        "school_id": school.pk if school is not None else obj.school_id,
        "at": at,
        "by_id": by.pk if by is not None and by.is_authenticated else None,
        "action": action,
        "via": via,
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "pupil_id": pupil.pk if pupil is not None else pupil_id,
        "before": json.dumps(before or {}),
        "after": json.dumps(after or {}),
        "note": note[:500],
    }


def record(**kwargs):
    """Record one change: record(action=, obj=, by=, before=, after=, via=, pupil=, note=)."""
    return _event(**kwargs).save() or None


def record_many(events, *, at=None):
    """Record many changes at once; `events` are dicts of record()'s keyword arguments.

    An event may give `pupil_id` instead of `pupil`. Written as plain rows (tracking.lib.bulk):
    target generation records tens of thousands of changes in one save.
    """
    stamp = connection.ops.adapt_datetimefield_value(at or timezone.now())
    insert_rows(AuditEvent, [_row(at=stamp, **event) for event in events])


def redact_pupils(pupil_ids):
    """Keep who did what and when about these pupils, but not the names and comments it carried."""
    AuditEvent.objects.filter(pupil_id__in=pupil_ids).update(before={}, after={}, note="")
