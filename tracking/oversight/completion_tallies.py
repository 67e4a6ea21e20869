"""What completion_for counts: a Sheet (one teaching group at one point), a Tally of sheets (a
department's, a teacher's, a point's...) and the Completion of a selection with its tallies and chase list."""

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.urls import get_script_prefix, reverse

from tracking.marksheets.windows import COMPLETE, IN_PROGRESS, NOT_STARTED, STATUS_LABELS
from tracking.models import AssessmentPoint, TeachingGroup

_GROUP, _POINT = 9_000_000_001, 9_000_000_002  # stand-ins no real id matches


@lru_cache(maxsize=16)
def _sheet_url_pattern(name, script_prefix):
    return reverse(name, args=[_GROUP, _POINT])


def sheet_url(name, group_id, point_id):
    """The URL named `name` for a group's sheet at a point: one reverse() per name, then substitution."""
    pattern = _sheet_url_pattern(name, get_script_prefix())
    return pattern.replace(str(_GROUP), str(int(group_id))).replace(str(_POINT), str(int(point_id)))


def marksheet_url(group_id, point_id):
    # The chase list links every unfinished sheet (nearly a thousand in a school of 6,000): one reverse()
    # for the pattern, then plain substitution.
    return sheet_url("marksheet", group_id, point_id)


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

    @cached_property
    def status(self):
        # Read many times over (each tally counts by it); the counts are set once, when the sheet is made.
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
        self.__dict__.pop("_sums", None)

    @cached_property
    def _sums(self):
        # Every figure in one walk of the sheets, once (a page reads each several times, and the whole
        # selection has some 2,000 sheets); `add` starts it again.
        counts = {COMPLETE: 0, IN_PROGRESS: 0, NOT_STARTED: 0}
        done = total = 0
        for sheet in self.sheets:
            counts[sheet.status] += 1
            done += sheet.cells_done
            total += sheet.pupils * sheet.fields
        return counts, done, total

    @property
    def total(self):
        return len(self.sheets)

    @property
    def complete(self):
        return self._sums[0][COMPLETE]

    @property
    def in_progress(self):
        return self._sums[0][IN_PROGRESS]

    @property
    def not_started(self):
        return self._sums[0][NOT_STARTED]

    @property
    def incomplete(self):
        return [s for s in self.sheets if s.status != COMPLETE]

    @property
    def cells_done(self):
        return self._sums[1]

    @property
    def cells_total(self):
        return self._sums[2]

    @property
    def percent(self):
        total = self.cells_total
        return 100 if not total else round(100 * self.cells_done / total)

    @property
    def deadline(self):
        dates = [s.point.closes_on for s in self.sheets if s.status != COMPLETE]
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
        names = {}  # a teacher's name, worked out once however many sheets they have

        def keys(sheet):
            teachers = sheet.group.teacher_list
            for t in teachers:
                if t.pk not in names:
                    names[t.pk] = str(t)
            return [(t.pk, names[t.pk]) for t in teachers] or [(None, "No teacher")]

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
