"""Marksheets: one teaching group's grades at one assessment point.

Reads (`load_sheet`, `sheets_for`), window rules (`window_for`, `can_edit_sheet`) and the writes
(`marksheet_save`, `sheet_reopen`, `point_reopen`). A save is atomic for the rows it is given: every
cell is validated first, rows are locked with select_for_update and compared with the version (and
the values) the editor read, so a second editor never silently overwrites the first.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from . import audit, permissions
from .grading import ScaleLookup, UnknownGrade, progress
from .models import (
    AssessmentPoint,
    GradeEntry,
    GradeValue,
    Pupil,
    Role,
    SheetReopen,
    Target,
    TeachingGroup,
)
from .tables import pupil_flags_html

FIELDS = ("current", "predicted", "security", "effort", "comment")
GRADE_FIELDS = ("current", "predicted")
LABELS = {
    "current": "Current",
    "predicted": "Predicted",
    "security": "Security",
    "effort": "Effort",
    "comment": "Comment",
}
SECURITY = {"H": "H", "HIGH": "H", "M": "M", "MID": "M", "MIDDLE": "M", "MED": "M", "L": "L", "LOW": "L"}
EFFORT = ("1", "2", "3", "4")
COMMENT_MAX = 500
HISTORY_POINTS = 3

NOT_STARTED, IN_PROGRESS, COMPLETE = "not_started", "in_progress", "complete"
STATUS_LABELS = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", COMPLETE: "Complete"}


class MarksheetError(Exception):
    def __init__(self, message, code="invalid"):
        self.message, self.code = message, code
        super().__init__(message)


def collected(point):
    return [name for name in FIELDS if getattr(point, f"collects_{name}")]


def required(point):
    """Fields a row needs before it counts as complete: everything the point collects but the comment.

    The completion page and the reminder emails use this same rule, so a sheet a teacher sees as
    complete is never chased.
    """
    return [name for name in FIELDS if name != "comment" and getattr(point, f"collects_{name}")]


# -- windows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    is_open: bool
    message: str
    reopened_until: date | None = None
    state: str = "open"  # open | reopened | locked | future | closed


def active_reopens(point, group, today=None):
    today = today or timezone.localdate()
    return list(
        SheetReopen.objects.filter(point=point, until__gte=today)
        .filter(Q(teaching_group=group) | Q(teaching_group__isnull=True))
        .order_by("-until")
    )


def window_for(point, reopens=(), today=None):
    """Whether teachers may enter grades at a point today (a reopen overrides the dates and the lock)."""
    today = today or timezone.localdate()
    live = [r for r in reopens if r.until >= today]
    if live:
        until = max(r.until for r in live)
        return Window(True, f"Reopened by the data manager until {until:%-d %B %Y}.", until, "reopened")
    if point.is_locked:
        return Window(False, "This point is locked for verification: the sheet is read-only.", state="locked")
    if today < point.opens_on:
        return Window(False, f"This sheet opens on {point.opens_on:%-d %B %Y}.", state="future")
    if today > point.closes_on:
        return Window(
            False,
            f"This sheet closed on {point.closes_on:%-d %B %Y} and is read-only. "
            "Ask the data manager to reopen it if grades need changing.",
            state="closed",
        )
    return Window(True, f"Open until {point.closes_on:%-d %B %Y}.")


def can_edit_sheet(user, group, window):
    """Teachers, heads of department and SLT edit within the window; the data manager at any time."""
    if not may_open_sheet(user, group):
        return False
    return window.is_open or permissions.is_data_manager(user)


def may_open_sheet(user, group):
    """Marksheets are for the people who enter a group's grades; everyone else gets a 404."""
    cache = user.__dict__.setdefault("_uplift_can_edit", {})
    if group.pk not in cache:
        cache[group.pk] = permissions.can_edit_group(user, group)
    return cache[group.pk]


# -- reading a sheet -----------------------------------------------------------------------------


def points_for_group(group):
    return AssessmentPoint.objects.filter(
        school_id=group.school_id, academic_year_id=group.academic_year_id, year_group_id=group.year_group_id
    )


def history_points(point, limit=HISTORY_POINTS):
    """The last few points this cohort had before `point`, across academic years (Y10 then Y11)."""
    cohort = ExpressionWrapper(
        F("year_group__number") - ExtractYear("academic_year__starts_on"), output_field=IntegerField()
    )
    this_cohort = point.year_group.number - point.academic_year.starts_on.year
    earlier = Q(academic_year__starts_on__lt=point.academic_year.starts_on) | Q(
        academic_year_id=point.academic_year_id, sequence__lt=point.sequence
    )
    points = (
        AssessmentPoint.objects.filter(school_id=point.school_id)
        .select_related("year_group")
        .annotate(cohort=cohort)
        .filter(earlier, cohort=this_cohort)
        .order_by("-academic_year__starts_on", "-sequence")[:limit]
    )
    return list(reversed(points))


def grade_text(value):
    return value.code if value is not None else ""


def entry_codes(entry):
    """A row's values as the strings a teacher would type, for comparison and the audit trail."""
    if entry is None:
        return dict.fromkeys(FIELDS, "")
    return {
        "current": grade_text(entry.current),
        "predicted": grade_text(entry.predicted),
        "security": entry.security or "",
        "effort": str(entry.effort) if entry.effort else "",
        "comment": entry.comment or "",
    }


@dataclass
class Cell:
    field: str
    value: str
    was: str
    error: str = ""
    hint: str = ""  # the short form of the error, shown inside the cell
    theirs: str | None = None  # set when another editor changed this cell since the sheet was opened
    resolution: str = "mine"
    saved: bool = False

    @property
    def conflict(self):
        return self.theirs is not None


@dataclass
class Row:
    pupil: Pupil
    flags: str
    target: GradeValue | None
    history: list
    entry: GradeEntry | None
    version: int
    cells: list
    progress: object = None
    errors: int = 0

    @property
    def has_conflict(self):
        return any(c.conflict for c in self.cells)


@dataclass
class Sheet:
    group: TeachingGroup
    point: AssessmentPoint
    scale: object
    lookup: ScaleLookup
    fields: list
    pupils: list
    targets: dict
    entries: dict
    history_points: list
    history: dict
    window: Window
    editable: bool = False
    rows: list = field(default_factory=list)

    @property
    def pupil_ids(self):
        return {p.pk for p in self.pupils}


def load_sheet(group, point, *, user, today=None, only_pupil=None):
    """Everything a marksheet shows, in a fixed number of queries whatever the group size."""
    scale = group.subject.scale_for_year(group.year_group.number)
    lookup = ScaleLookup(scale, list(GradeValue.objects.filter(scale=scale)))
    pupils = group.pupils.filter(is_active=True)
    if only_pupil is not None:
        pupils = pupils.filter(pk=only_pupil)
    pupils = list(pupils.order_by("legal_last_name", "legal_first_name", "preferred_first_name"))
    ids = [p.pk for p in pupils]
    targets = {
        t.pupil_id: t.grade
        for t in Target.objects.filter(subject_id=group.subject_id, pupil_id__in=ids).select_related("grade")
    }
    entries = {
        e.pupil_id: e
        for e in GradeEntry.objects.filter(point=point, subject_id=group.subject_id, pupil_id__in=ids)
    }
    for entry in entries.values():
        # Grades are re-attached from the scale already in memory rather than joined.
        entry.current = lookup.by_id(entry.current_id) if entry.current_id else None
        entry.predicted = lookup.by_id(entry.predicted_id) if entry.predicted_id else None
    past = history_points(point)
    history = {}
    if past:
        for e in GradeEntry.objects.filter(
            point__in=past, subject_id=group.subject_id, pupil_id__in=ids
        ).select_related("current", "predicted"):
            history[(e.pupil_id, e.point_id)] = e
    window = window_for(point, active_reopens(point, group, today), today)
    sheet = Sheet(
        group=group,
        point=point,
        scale=scale,
        lookup=lookup,
        fields=collected(point),
        pupils=pupils,
        targets=targets,
        entries=entries,
        history_points=past,
        history=history,
        window=window,
    )
    sheet.editable = can_edit_sheet(user, group, window)
    return sheet


def headline(point, values):
    """The grade compared with the target: predicted when the point collects it, else current."""
    return values.get("predicted") if point.collects_predicted else values.get("current")


def build_rows(sheet, typed=None, errors=None, conflicts=None, saved=None):
    """Rows for the template. `typed` (pupil -> field -> text) keeps what the teacher typed."""
    typed, errors, conflicts, saved = typed or {}, errors or {}, conflicts or {}, saved or {}
    rows = []
    for pupil in sheet.pupils:
        entry = sheet.entries.get(pupil.pk)
        stored = entry_codes(entry)
        mine = typed.get(pupil.pk)
        cells = []
        for name in sheet.fields:
            value = mine.values.get(name, stored[name]) if mine else stored[name]
            cell = Cell(field=name, value=value, was=stored[name])
            cell.error = errors.get(pupil.pk, {}).get(name, "")
            cell.hint = short_hint(cell.error)
            if name in conflicts.get(pupil.pk, {}):
                cell.theirs = stored[name]
                cell.resolution = "mine"
            cell.saved = name in saved.get(pupil.pk, ())
            cells.append(cell)
        shown = {c.field: c.value for c in cells}
        grade = _parse_quiet(sheet.lookup, headline(sheet.point, shown))
        target = sheet.targets.get(pupil.pk)
        rows.append(
            Row(
                pupil=pupil,
                flags=pupil_flags_html(pupil),
                target=target,
                history=[sheet.history.get((pupil.pk, p.pk)) for p in sheet.history_points],
                entry=entry,
                version=entry.version if entry else 0,
                cells=cells,
                progress=progress(grade, target),
                errors=sum(1 for c in cells if c.error),
            )
        )
    sheet.rows = rows
    return rows


def _parse_quiet(lookup, text):
    try:
        return lookup.parse(text or "")
    except UnknownGrade:
        return None


# -- reading what was posted ------------------------------------------------------------------------


@dataclass
class RowInput:
    pupil_id: int
    version: int
    values: dict  # field -> typed text
    was: dict  # field -> value shown when the sheet was opened (None if not posted)
    resolutions: dict  # field -> "mine" | "theirs"


def rows_from_post(post, sheet, only=None):
    """The rows in a POST: inputs are named r-<pupil>-<field>, with -version, -was-<field>, -use-<field>."""
    rows = {}
    for pupil in sheet.pupils:
        if only is not None and pupil.pk != only:
            continue
        prefix = f"r-{pupil.pk}-"
        if prefix + "version" not in post:
            continue
        try:
            version = int(post.get(prefix + "version") or 0)
        except ValueError:
            version = -1
        values, was, resolutions = {}, {}, {}
        for name in sheet.fields:
            if prefix + name in post:
                values[name] = post.get(prefix + name)
            if prefix + "was-" + name in post:
                was[name] = post.get(prefix + "was-" + name)
            if post.get(prefix + "use-" + name) == "theirs":
                resolutions[name] = "theirs"
        rows[pupil.pk] = RowInput(pupil.pk, version, values, was, resolutions)
    return rows


def short_hint(message):
    """'“x” is not a grade. Allowed: 9+ … U, e.g. 5, 5-, 4+.' -> 'Allowed: 9+ … U' for the cell itself."""
    if "Allowed:" not in message:
        return message
    return "Allowed:" + message.split("Allowed:", 1)[1].split(", e.g.")[0].rstrip(".")


def _allowed_text(lookup):
    allowed = lookup.allowed
    if len(allowed) > 8:
        middle = allowed[len(allowed) // 2 - 1 : len(allowed) // 2 + 2]
        return f"Allowed: {allowed[0]} … {allowed[-1]}, e.g. {', '.join(middle)}"
    return "Allowed: " + ", ".join(allowed)


def clean_value(lookup, name, text):
    """Typed text -> canonical code ('' for blank), or MarksheetError saying what is allowed."""
    text = (text or "").strip()
    if name in GRADE_FIELDS:
        try:
            value = lookup.parse(text)
        except UnknownGrade:
            raise MarksheetError(f"“{text}” is not a grade. {_allowed_text(lookup)}.") from None
        return value.code if value else ""
    if name == "security":
        if not text:
            return ""
        try:
            return SECURITY[text.upper()]
        except KeyError:
            raise MarksheetError(f"“{text}” is not a security. Allowed: H, M or L.") from None
    if name == "effort":
        if not text:
            return ""
        if text not in EFFORT:
            raise MarksheetError(f"“{text}” is not an effort grade. Allowed: 1, 2, 3 or 4.")
        return text
    if len(text) > COMMENT_MAX:
        raise MarksheetError(f"Comments are at most {COMMENT_MAX} characters (this one has {len(text)}).")
    return " ".join(text.split())


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
        raise MarksheetError("This sheet is read-only: its window has closed.", code="closed")
    result = SaveResult()
    cleaned = {}
    for pupil_id, row in rows.items():
        for name, text in row.values.items():
            try:
                cleaned.setdefault(pupil_id, {})[name] = clean_value(sheet.lookup, name, text)
            except MarksheetError as error:
                result.errors.setdefault(pupil_id, {})[name] = error.message
    if result.errors:
        return result
    for _attempt in range(2):
        try:
            return _save_locked(sheet, rows, cleaned, by, via)
        except IntegrityError:
            # Someone created one of these rows after we looked: go round again and compare with theirs.
            continue
    raise MarksheetError("The sheet is being saved by someone else. Try again.", code="busy")


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
        raise MarksheetError("Give a reason: it is kept in the audit trail.", code="reason")
    if until < timezone.localdate():
        raise MarksheetError("The reopen date must be today or later.", code="until")
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


# -- my marksheets ----------------------------------------------------------------------------------


def groups_for_marksheets(user):
    """Groups whose sheets a user fills in: the ones they teach, and their department's for a HoD."""
    access = permissions.access_for(user)
    if access.staff is None:
        return TeachingGroup.objects.none()
    scope = Q(teachers=access.staff)
    if access.department_ids:
        scope |= Q(subject__department_id__in=access.department_ids)
    return TeachingGroup.objects.filter(
        pk__in=TeachingGroup.objects.filter(scope, academic_year__is_current=True).values("pk"),
        school_id__in=access.school_ids,
    )


@dataclass
class SheetSummary:
    group: TeachingGroup
    point: AssessmentPoint
    pupils: int
    started: int
    complete: int
    window: Window

    @property
    def status(self):
        if self.pupils and self.complete >= self.pupils:
            return COMPLETE
        return IN_PROGRESS if self.started else NOT_STARTED

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


def sheets_for(groups, *, today=None, open_only=True):
    """Every group × (open) point of its year group, with row counts done in the database: 4 queries."""
    today = today or timezone.localdate()
    groups = list(
        groups.filter(academic_year__is_current=True)
        .select_related("subject", "year_group", "academic_year")
        .annotate(pupil_count=Count("pupils", filter=Q(pupils__is_active=True), distinct=True))
        .order_by("year_group__number", "subject__name", "name")
    )
    keys = {(g.academic_year_id, g.year_group_id) for g in groups}
    if not keys:
        return []
    point_q = Q()
    for year_id, year_group_id in keys:
        point_q |= Q(academic_year_id=year_id, year_group_id=year_group_id)
    points = list(
        AssessmentPoint.objects.filter(point_q, school_id__in={g.school_id for g in groups}).order_by(
            "sequence"
        )
    )
    reopens = list(SheetReopen.objects.filter(point__in=points, until__gte=today))
    windows = {}
    for point in points:
        for group in groups:
            if (point.academic_year_id, point.year_group_id) != (group.academic_year_id, group.year_group_id):
                continue
            mine = [r for r in reopens if r.point_id == point.pk and r.teaching_group_id in (None, group.pk)]
            window = window_for(point, mine, today)
            if open_only and not window.is_open:
                continue
            windows[(group.pk, point.pk)] = (group, point, window)
    counts = _row_counts(groups, [p for p in points if any(k[1] == p.pk for k in windows)])
    summaries = []
    for (group_id, point_id), (group, point, window) in windows.items():
        started, complete = counts.get((group_id, point_id), (0, 0))
        summaries.append(SheetSummary(group, point, group.pupil_count, started, complete, window))
    summaries.sort(key=lambda s: (s.point.closes_on, s.group.year_group.number, s.group.name))
    return summaries


def _row_counts(groups, points):
    """(group, point) -> (rows started, rows complete), counted in the database (one query per rule)."""
    if not groups or not points:
        return {}
    counts = {}
    rules = {}
    for point in points:
        rules.setdefault(tuple(required(point)), []).append(point)
    group_ids = [g.pk for g in groups]
    for fields_needed, rule_points in rules.items():
        complete = Q()
        for name in fields_needed:
            # Security is text (blank when empty); the others are null when empty.
            complete &= ~Q(security="") if name == "security" else Q(**{f"{name}__isnull": False})
        # One filter() call so the group join is shared by the membership and the subject match.
        rows = (
            GradeEntry.objects.filter(
                point__in=rule_points,
                pupil__is_active=True,
                pupil__teaching_groups__in=group_ids,
                subject_id=F("pupil__teaching_groups__subject_id"),
            )
            .values("pupil__teaching_groups", "point")
            .annotate(started=Count("pk"), complete=Count("pk", filter=complete))
            .order_by()
        )
        for row in rows:
            counts[(row["pupil__teaching_groups"], row["point"])] = (row["started"], row["complete"])
    return counts


def nav_allowed(user):
    return permissions.has_role(user, Role.TEACHER, Role.HEAD_OF_DEPARTMENT, Role.SLT, Role.DATA_MANAGER)


def panel_allowed(user):
    return permissions.has_role(user, Role.TEACHER, Role.HEAD_OF_DEPARTMENT)


def panel_context(user):
    sheets = [s for s in sheets_for(groups_for_marksheets(user)) if s.status != COMPLETE]
    return {"sheets": sheets[:8]}
