"""Reading marksheets: one sheet's rows (`load_sheet`) and the sheets a user fills in (`sheets_for`)."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from tracking import standing
from tracking.lib.errors import DomainError
from tracking.lib.grading import ScaleLookup, UnknownGrade
from tracking.lib.shared import select_shared
from tracking.marksheets.forms import clean_value, short_hint
from tracking.marksheets.windows import (
    COMPLETE,
    FIELDS,
    IN_PROGRESS,
    NOT_STARTED,
    STATUS_LABELS,
    Window,
    active_reopens,
    collected,
    history_points,
    window_for,
)
from tracking.models import (
    AssessmentPoint,
    GradeEntry,
    GradeValue,
    Pupil,
    SheetReopen,
    Target,
    TeachingGroup,
)
from tracking.permissions import access_for, can_edit_sheet, groups_for_marksheets
from tracking.school.tables import pupil_flags_html


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
    pending: bool = False  # typed, differs from what is stored, not saved yet

    @property
    def conflict(self):
        return self.theirs is not None


@dataclass
class Row:
    pupil: Pupil
    flags: str
    target: GradeValue | None  # the published target: the only one that counts
    history: list
    entry: GradeEntry | None
    version: int
    cells: list
    standing: object = None  # tracking.standing.Standing
    errors: int = 0
    scale_id: int | None = None

    @property
    def has_conflict(self):
        return any(c.conflict for c in self.cells)

    @property
    def pending(self):
        return sum(1 for c in self.cells if c.pending)

    @property
    def saved(self):
        return any(c.saved for c in self.cells)


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
    book: object = None  # tracking.standing.Book
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
        t.pupil_id: t
        for t in Target.objects.filter(subject_id=group.subject_id, pupil_id__in=ids).select_related(
            "grade", "published_grade", "requested_grade"
        )
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
        book=standing.Book(group.school),
    )
    sheet.editable = can_edit_sheet(user, group, window)
    return sheet


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
            if mine and not cell.error and not cell.conflict:
                cell.pending = _changed(sheet, name, value, stored)
            cells.append(cell)
        shown = {c.field: c.value for c in cells}
        target = sheet.targets.get(pupil.pk)
        result = sheet.book.judge(
            sheet.point,
            current=_parse_quiet(sheet.lookup, shown.get("current")),
            predicted=_parse_quiet(sheet.lookup, shown.get("predicted")),
            target=target,
            pupil_id=pupil.pk,
            subject_id=sheet.group.subject_id,
        )
        rows.append(
            Row(
                pupil=pupil,
                flags=pupil_flags_html(pupil),
                target=result.target,
                history=[sheet.history.get((pupil.pk, p.pk)) for p in sheet.history_points],
                entry=entry,
                version=entry.version if entry else 0,
                cells=cells,
                standing=result,
                scale_id=sheet.scale.pk,
                errors=sum(1 for c in cells if c.error),
            )
        )
    sheet.rows = rows
    return rows


def _changed(sheet, name, text, stored):
    try:
        return clean_value(sheet.lookup, name, text) != stored[name]
    except DomainError:
        return False


def _parse_quiet(lookup, text):
    try:
        return lookup.parse(text or "")
    except UnknownGrade:
        return None


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
    """Every group × (open) point of its year group, with pupils and rows counted: 5 queries."""
    return sheet_summaries(sheet_windows(groups, today=today, open_only=open_only))


def sheet_windows(groups, *, today=None, open_only=True):
    """(group, point, window) for every group × (open) point of its year group, in the order the
    list shows them, without counting anything: 3 queries. Page this, then `sheet_summaries`."""
    today = today or timezone.localdate()
    groups = select_shared(
        groups.filter(academic_year__is_current=True).order_by("year_group__number", "subject__name", "name"),
        "subject",
        "year_group",
        "academic_year",
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
    by_key = {}
    for group in groups:
        by_key.setdefault((group.academic_year_id, group.year_group_id), []).append(group)
    windows, shared = [], {}
    for point in points:
        for group in by_key.get((point.academic_year_id, point.year_group_id), ()):
            mine = [r for r in reopens if r.point_id == point.pk and r.teaching_group_id in (None, group.pk)]
            # A point's groups share its window unless a reopen names one of them (a window each).
            key = (point.pk, *(r.pk for r in mine))
            window = shared.get(key)
            if window is None:
                window = shared[key] = window_for(point, mine, today)
            if open_only and not window.is_open:
                continue
            windows.append((group, point, window))
    windows.sort(key=lambda w: (w[1].closes_on, w[0].year_group.number, w[0].name))
    return windows


def sheet_summaries(windows):
    """A SheetSummary for each (group, point, window), pupils and rows counted in the database: 2 queries
    (one more per extra completeness rule), however many sheets."""
    windows = list(windows)
    if not windows:
        return []
    groups = list({g.pk: g for g, _, _ in windows}.values())
    points = list({p.pk: p for _, p, _ in windows}.values())
    pupils = dict(
        TeachingGroup.objects.filter(pk__in=[g.pk for g in groups])
        .annotate(n=Count("pupils", filter=Q(pupils__is_active=True), distinct=True))
        .values_list("pk", "n")
    )
    counts = _row_counts(groups, points)
    summaries = []
    for group, point, window in windows:
        started, complete = counts.get((group.pk, point.pk), (0, 0))
        summaries.append(SheetSummary(group, point, pupils.get(group.pk, 0), started, complete, window))
    return summaries


def _row_counts(groups, points):
    """(group, point) -> (rows started, rows complete), counted in the database in one query."""
    if not groups or not points:
        return {}
    counts = {}
    group_ids = [g.pk for g in groups]
    # One filter() call so the group join is shared by the membership and the subject match.
    rows = (
        GradeEntry.objects.filter(
            point__in=points,
            pupil__is_active=True,
            pupil__teaching_groups__in=group_ids,
            subject_id=F("pupil__teaching_groups__subject_id"),
        )
        .values("pupil__teaching_groups", "point")
        .annotate(started=Count("pk"), complete=Count("pk", filter=standing.complete_q()))
        .order_by()
    )
    for row in rows:
        counts[(row["pupil__teaching_groups"], row["point"])] = (row["started"], row["complete"])
    return counts


PANEL_DEPARTMENT_ROWS = 8


def panel_context(user):
    """The home panel: every unfinished sheet of the user's own groups, then their department's (a head
    of department's), up to a few, with how many more the full list holds."""
    staff = access_for(user).staff
    teaches = TeachingGroup.teachers.through.objects.filter(teachinggroup_id=OuterRef("pk"), staff=staff)
    groups = groups_for_marksheets(user).annotate(mine=Exists(teaches))
    due = [s for s in sheets_for(groups) if s.status != COMPLETE]
    mine = [s for s in due if s.group.mine]
    department = [s for s in due if not s.group.mine]
    return {
        "mine": mine,
        "department": department[:PANEL_DEPARTMENT_ROWS],
        "more": max(0, len(department) - PANEL_DEPARTMENT_ROWS),
    }
