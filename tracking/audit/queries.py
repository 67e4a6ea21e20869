"""Reading the grade audit trail: a pupil's or a marksheet's changes, old value to new."""

from dataclasses import dataclass

from django.db.models import CharField, Q
from django.db.models.functions import Cast

from tracking.models import AuditEvent, GradeEntry

GRADE_ACTIONS = ("tracking.grade.created", "tracking.grade.changed")
SHEET_REOPENED, POINT_REOPENED = "tracking.sheet.reopened", "tracking.point.reopened"
GRADE_ENTRY_TYPE = GradeEntry._meta.label_lower
FIELD_LABELS = {
    "current": "Current grade",
    "predicted": "Predicted grade",
    "security": "Security",
    "effort": "Effort",
    "comment": "Comment",
}
VIA_LABELS = {
    "marksheet": "Marksheet (saved)",
    "marksheet-autosave": "Marksheet (autosave)",
    "import": "Import",
}


def _grade_events():
    return AuditEvent.objects.filter(action__in=GRADE_ACTIONS, object_type=GRADE_ENTRY_TYPE).select_related(
        "by", "pupil"
    )


def for_pupil(pupil):
    return _grade_events().filter(pupil=pupil).order_by("-at", "-id")


def for_sheet(group, point):
    """Changes to the grade entries of a group's pupils in its subject at one point, and reopenings.

    Reopen events (written by the marksheet feature) name the point and group in `after`; names
    repeat across years, so only events since the group's academic year began are matched.
    """
    entry_ids = (
        GradeEntry.objects.filter(point=point, subject_id=group.subject_id, pupil__teaching_groups=group)
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )
    grades = Q(action__in=GRADE_ACTIONS, object_type=GRADE_ENTRY_TYPE, object_id__in=entry_ids)
    reopens = Q(at__date__gte=group.academic_year.starts_on, after__point=point.name) & (
        Q(action=SHEET_REOPENED, after__group=group.name) | Q(action=POINT_REOPENED)
    )
    return (
        AuditEvent.objects.filter(grades | reopens, school_id=group.school_id)
        .select_related("by", "pupil")
        .order_by("-at", "-id")
    )


@dataclass
class Change:
    field: str
    label: str
    old: object
    new: object


def _shown(value):
    return "—" if value in (None, "") else value


def describe(events):
    """Turn a page of events into rows with subject, point and per-field changes (one extra query)."""
    events = list(events)
    ids = {int(e.object_id) for e in events if e.object_type == GRADE_ENTRY_TYPE and e.object_id.isdigit()}
    entries = GradeEntry.objects.filter(pk__in=ids).select_related("subject", "point").in_bulk()
    rows = []
    for event in events:
        is_grade = event.object_type == GRADE_ENTRY_TYPE and event.object_id.isdigit()
        entry = entries.get(int(event.object_id)) if is_grade else None
        before, after = event.before or {}, event.after or {}
        keys = [k for k in FIELD_LABELS if k in before or k in after]
        keys += sorted(k for k in {*before, *after} if k not in FIELD_LABELS)
        changes = [
            Change(
                k,
                FIELD_LABELS.get(k, k.replace("_", " ").capitalize()),
                _shown(before.get(k)),
                _shown(after.get(k)),
            )
            for k in keys
            if before.get(k) != after.get(k)
            and not (event.action == "tracking.grade.created" and after.get(k) in (None, ""))
        ]
        if event.action in (SHEET_REOPENED, POINT_REOPENED):
            rows.append(
                {
                    "event": event,
                    "entry": None,
                    "changes": [],
                    "reopen": {
                        "scope": "Whole point reopened"
                        if event.action == POINT_REOPENED
                        else "Sheet reopened",
                        "until": after.get("until", ""),
                        "reason": event.note,
                    },
                    "via": VIA_LABELS.get(event.via, event.via or "—"),
                }
            )
            continue
        rows.append(
            {
                "event": event,
                "entry": entry,
                "changes": changes,
                "is_new": event.action == "tracking.grade.created",
                "via": VIA_LABELS.get(event.via, event.via or "—"),
            }
        )
    return rows


def history_for(obj):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related(
        "by"
    )


def grade_values_changed(*, entry_ids, by, via, since):
    """(pupil id, field) of every grade-entry value `by` changed through `via` since `since`.

    The marksheet uses it to say what its autosave already stored while a teacher worked.
    """
    events = AuditEvent.objects.filter(
        action__in=GRADE_ACTIONS,
        object_type=GRADE_ENTRY_TYPE,
        object_id__in=[str(pk) for pk in entry_ids],
        by=by,
        via=via,
        at__gte=since,
    ).values_list("pupil_id", "before", "after")
    changed = set()
    for pupil_id, before, after in events:
        before = before or {}
        changed.update((pupil_id, name) for name, new in (after or {}).items() if before.get(name, "") != new)
    return changed


def last_event(*, school, action):
    """The school's latest event of one kind (e.g. the last reminders sent), or None."""
    return (
        AuditEvent.objects.filter(school=school, action=action)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )
