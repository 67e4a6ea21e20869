"""Completion of marksheets: which sheets (teaching group x assessment point) are done.

A cell is one collected grade field for one pupil; a sheet is complete when every pupil in the group
has every collected grade field filled (current and predicted as the point collects them, security
and effort when collected; the comment is optional). Counting happens in the database with a fixed
number of queries whatever the size of the school.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache, reduce
from operator import or_

from django.db.models import Count, F, Q
from django.urls import get_script_prefix, reverse

from tracking import audit, standing
from tracking.marksheets.windows import COMPLETE, IN_PROGRESS, NOT_STARTED, STATUS_LABELS
from tracking.models import AssessmentPoint, TeachingGroup
from tracking.school.queries import teachers_by_group

REMINDERS_ACTION = "tracking.reminders.sent"

# The fields a sheet must have filled: tracking.standing's one rule, shared with "My marksheets" and the
# health checks.
collected_fields = standing.required_fields


_GROUP, _POINT = 9_000_000_001, 9_000_000_002  # stand-ins no real id matches


@lru_cache(maxsize=8)
def _marksheet_url_pattern(script_prefix):
    return reverse("marksheet", args=[_GROUP, _POINT])


def marksheet_url(group_id, point_id):
    # The chase list links every unfinished sheet (nearly a thousand in a school of 6,000): one reverse()
    # for the pattern, then plain substitution.
    pattern = _marksheet_url_pattern(get_script_prefix())
    return pattern.replace(str(_GROUP), str(int(group_id))).replace(str(_POINT), str(int(point_id)))


@dataclass
class Sheet:
    group: TeachingGroup
    point: AssessmentPoint
    pupils: int
    fields: int
    cells_done: int = 0
    pupils_complete: int = 0

    @property
    def cells_total(self):
        return self.pupils * self.fields

    @property
    def status(self):
        if self.pupils_complete >= self.pupils:
            return COMPLETE
        return IN_PROGRESS if self.cells_done else NOT_STARTED

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def percent(self):
        return 100 if not self.cells_total else round(100 * self.cells_done / self.cells_total)

    @cached_property
    def url(self):
        return marksheet_url(self.group.pk, self.point.pk)

    @property
    def teachers(self):
        return self.group.teacher_list


@dataclass
class Tally:
    """Sheets and cells summed over some set of sheets (a department, a teacher, a point...)."""

    key: object = None
    label: str = ""
    sheets: list = field(default_factory=list)

    def add(self, sheet):
        self.sheets.append(sheet)

    @property
    def total(self):
        return len(self.sheets)

    def _count(self, status):
        return sum(1 for s in self.sheets if s.status == status)

    @property
    def complete(self):
        return self._count(COMPLETE)

    @property
    def in_progress(self):
        return self._count(IN_PROGRESS)

    @property
    def not_started(self):
        return self._count(NOT_STARTED)

    @property
    def incomplete(self):
        return [s for s in self.sheets if s.status != COMPLETE]

    @property
    def cells_done(self):
        return sum(s.cells_done for s in self.sheets)

    @property
    def cells_total(self):
        return sum(s.cells_total for s in self.sheets)

    @property
    def percent(self):
        total = self.cells_total
        return 100 if not total else round(100 * self.cells_done / total)

    @property
    def deadline(self):
        dates = [s.point.closes_on for s in self.incomplete]
        return min(dates) if dates else None


@dataclass
class Completion:
    points: list
    sheets: list

    @property
    def overall(self):
        return Tally(label="Whole selection", sheets=list(self.sheets))

    def _group_by(self, key_label):
        tallies = {}
        for sheet in self.sheets:
            for key, label in key_label(sheet):
                tallies.setdefault(key, Tally(key=key, label=label)).add(sheet)
        return sorted(tallies.values(), key=lambda t: t.label.lower())

    def by_point(self):
        order = {p.pk: i for i, p in enumerate(self.points)}
        tallies = self._group_by(lambda s: [(s.point.pk, s.point.name)])
        return sorted(tallies, key=lambda t: order[t.key])

    def by_department(self):
        return self._group_by(lambda s: [(s.group.subject.department_id, s.group.subject.department.name)])

    def by_teacher(self):
        def keys(sheet):
            teachers = sheet.group.teacher_list
            return [(t.pk, str(t)) for t in teachers] or [(None, "No teacher")]

        return self._group_by(keys)

    def chase_list(self):
        """Teachers with incomplete sheets, least done first: who to chase, for what, by when."""
        rows = []
        for tally in self.by_teacher():
            incomplete = tally.incomplete
            if incomplete:
                tally.sheets_to_chase = sorted(incomplete, key=lambda s: (s.point.closes_on, s.group.name))
                rows.append(tally)
        return sorted(rows, key=lambda t: (t.percent, t.label.lower()))


def points_for_selection(school, today=None):
    """Assessment points of the current academic year, in order, for the point chooser."""
    return list(
        AssessmentPoint.objects.filter(school=school, academic_year__is_current=True)
        .select_related("year_group", "academic_year")
        .order_by("opens_on", "year_group__number", "sequence")
    )


def default_points(points, today=None):
    """The points whose window is open today (falls back to the latest that has opened)."""
    today = today or date.today()
    open_now = [p for p in points if p.opens_on <= today <= p.closes_on and not p.is_locked]
    if open_now:
        return open_now
    opened = [p for p in points if p.opens_on <= today]
    return opened[-1:] if opened else points[:1]


def completion_for(points, departments=None):
    """Every sheet for the chosen points with its counts. `departments`: None for all, or a set of ids.

    Three queries whatever the school's size: the groups (with pupil counts), their teachers, and one
    aggregate over grade entries grouped by teaching group and point.
    """
    points = list(points)
    if not points:
        return Completion(points=[], sheets=[])
    pairs = {(p.academic_year_id, p.year_group_id) for p in points}
    pair_q = reduce(or_, (Q(academic_year_id=ay, year_group_id=yg) for ay, yg in pairs))
    groups = (
        TeachingGroup.objects.filter(pair_q, school_id=points[0].school_id)
        .select_related("subject__department", "year_group")
        .annotate(pupil_count=Count("pupils", filter=Q(pupils__is_active=True)))
        .order_by("year_group__number", "subject__name", "name")
    )
    if departments is not None:
        groups = groups.filter(subject__department_id__in=departments)

    # Start from group membership so the database walks groups -> pupils -> the unique
    # (pupil, subject, point) index of grade entries, rather than testing every group per entry.
    group_ids = TeachingGroup.objects.filter(pair_q, school_id=points[0].school_id)
    if departments is not None:
        group_ids = group_ids.filter(subject__department_id__in=departments)
    filled = standing.filled_q("pupil__grades__")
    complete_q = standing.complete_q("pupil__grades__")
    counts = (
        TeachingGroup.pupils.through.objects.filter(
            teachinggroup__in=group_ids.values("pk"),
            pupil__is_active=True,
            pupil__grades__point__in=[p.pk for p in points],
            pupil__grades__subject=F("teachinggroup__subject"),
            pupil__grades__point__academic_year=F("teachinggroup__academic_year"),
            pupil__grades__point__year_group=F("teachinggroup__year_group"),
        )
        .values("teachinggroup", "pupil__grades__point")
        .annotate(
            complete=Count("pupil__grades", filter=complete_q),
            **{f"n_{name}": Count("pupil__grades", filter=q) for name, q in filled.items()},
        )
        .order_by()
    )
    by_sheet = {(row["teachinggroup"], row["pupil__grades__point"]): row for row in counts}

    points_by_pair = defaultdict(list)
    for point in points:
        points_by_pair[(point.academic_year_id, point.year_group_id)].append(point)
    teachers_of = teachers_by_group(group_ids)
    sheets = []
    for group in groups:
        group.teacher_list = teachers_of[group.pk]
        for point in points_by_pair[(group.academic_year_id, group.year_group_id)]:
            fields = collected_fields(point)
            row = by_sheet.get((group.pk, point.pk), {})
            sheets.append(
                Sheet(
                    group=group,
                    point=point,
                    pupils=group.pupil_count,
                    fields=len(fields),
                    cells_done=sum(row.get(f"n_{name}", 0) for name in fields),
                    pupils_complete=row.get("complete", 0),
                )
            )
    return Completion(points=points, sheets=sheets)


def last_reminder(school):
    return audit.last_event(school=school, action=REMINDERS_ACTION)


TALLY_HEADINGS = {"point": "Assessment point", "department": "Department", "teacher": "Teacher"}


def export_table(view, result, rows):
    """(headers, rows) of the completion view on screen ('chase', 'group', or a tally by point,
    department or teacher), as plain values for a spreadsheet."""
    if view == "chase":
        headers = ["Teacher", "Unfinished sheets", "Done (%)", "Deadline"]
        out = [
            [
                t.label,
                "; ".join(f"{s.group.name} ({s.point.name}, {s.percent}%)" for s in t.sheets_to_chase),
                t.percent,
                t.deadline,
            ]
            for t in rows
        ]
        return headers, out
    if view == "group":
        headers = [
            "Group",
            "Subject",
            "Teachers",
            "Point",
            "Pupils",
            "Cells done",
            "Cells",
            "Status",
            "Closes",
        ]
        out = [
            [
                s.group.name,
                s.group.subject.name,
                ", ".join(str(t) for t in s.teachers),
                s.point.name,
                s.pupils,
                s.cells_done,
                s.cells_total,
                s.status_label,
                s.point.closes_on,
            ]
            for s in result.sheets
        ]
        return headers, out
    headers = [TALLY_HEADINGS[view], "Sheets", "Complete", "In progress", "Not started", "Cells done (%)"]
    out = [[t.label, t.total, t.complete, t.in_progress, t.not_started, t.percent] for t in rows]
    return headers, out
