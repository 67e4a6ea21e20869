"""One way to write the audit trail. Services call it inside their own transaction."""

from tracking.models import AuditEvent


def _event(*, action, obj, by, before=None, after=None, via="", pupil=None, note="", school=None):
    return AuditEvent(
        school_id=school.pk if school is not None else obj.school_id,
        by=by if by is not None and by.is_authenticated else None,
        action=action,
        via=via,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        pupil=pupil,
        before=before or {},
        after=after or {},
        note=note[:500],
    )


def record(**kwargs):
    """Record one change: record(action=, obj=, by=, before=, after=, via=, pupil=, note=)."""
    return _event(**kwargs).save() or None


def record_many(events):
    """Record many changes at once; `events` are dicts of record()'s keyword arguments."""
    AuditEvent.objects.bulk_create([_event(**event) for event in events], batch_size=1000)
