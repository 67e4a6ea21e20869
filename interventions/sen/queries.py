"""The SENCo's view: SEN pupils' progress against the rest, by SEN status, by primary need (the DfE's
types: SEMH, SpLD...) and by subject, with their plans and intervention sessions. Figures come from the
leaders' dashboard's one-query `figure_sets` (so they agree with it to the grade); plans and sessions in
one query each.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, NullIf

from tracking.dashboards.queries import combined, figure_sets, gap_between
from tracking.models import Pupil, SenNeed, SenStatus

from ..plans.models import PlanStatus
from ..sessions.models import Allocation, AllocationStatus, Attendance

NEEDS = (
    (SenStatus.NONE, "No SEN"),
    (SenStatus.SUPPORT, "SEN support"),
    (SenStatus.EHCP, "EHC plan"),
)
SEN = (SenStatus.SUPPORT, SenStatus.EHCP)
NOT_RECORDED = "-"  # a SEN pupil whose primary need is not recorded
NEED_TYPES = tuple((code, label) for code, label in SenNeed.choices if code) + (
    (NOT_RECORDED, "Need not recorded"),
)


# A grade's subject and SEN status are counted by as one integer: grouping some 60,000 grades by a text key
# built for each ("12:K") took a tenth of the SEN view's query at 6,000 pupils. Read back by divmod.
STATUS_CODES = tuple(code for code, _label in NEEDS)
_STATUSES = len(STATUS_CODES) + 1  # and one for a status not among NEEDS (none is): counted, shown nowhere


def figures(entries, thresholds, previous, points=None, pupils=None):
    """{"total", "need": [Figures], "primary_need": [Figures], "subject_need": {(subject id, need): Figures},
    "pupil": {id: Figures}}: "pupil" for every SEN pupil, or for those in `pupils` (ids) when given.

    One query: every grade's standing is worked out once and counted by SEN status, by SEN pupils'
    primary need, by subject and SEN status, and for each SEN pupil (or each of `pupils`).
    """
    if pupils is None:
        counted = [When(pupil__sen_status__in=SEN, then=F("pupil_id"))]
    else:
        counted = [When(pupil_id__in=sorted(pupils), then=F("pupil_id"))] if pupils else []
    status = Case(
        *(When(pupil__sen_status=code, then=Value(index)) for index, code in enumerate(STATUS_CODES)),
        default=Value(len(STATUS_CODES)),
        output_field=IntegerField(),
    )
    entries = entries.annotate(
        primary_need=Case(
            When(
                pupil__sen_status__in=SEN,
                then=Coalesce(NullIf(F("pupil__sen_need"), Value("")), Value(NOT_RECORDED)),
            ),
            default=Value(None),
            output_field=CharField(),
        ),
        subject_need=F("subject_id") * _STATUSES + status,
        sen_pupil=Case(
            *counted,
            default=Value(None),
            output_field=IntegerField(),
        ),
    )
    sets = figure_sets(
        entries,
        thresholds,
        previous,
        {
            "need": ("pupil__sen_status", "text"),
            "primary_need": ("primary_need", "text"),
            "subject_need": ("subject_need", "int"),
            "pupil": ("sen_pupil", "int"),
        },
        points=points,
    )
    labels = dict(NEEDS)
    for row in sets["need"]:
        row.label = labels.get(row.key, row.key)
    cells = {}
    for row in sets["subject_need"]:
        subject_id, index = divmod(row.key, _STATUSES)
        cells[(subject_id, STATUS_CODES[index] if index < len(STATUS_CODES) else None)] = row
    return {
        "total": sets["total"],
        "need": sets["need"],
        "primary_need": [row for row in sets["primary_need"] if row.key is not None],
        "subject_need": cells,
        "pupil": {row.key: row for row in sets["pupil"] if row.key is not None},
    }


def need_rows(figures_):
    """Each need's figures with the gap to pupils with no SEN (in % on or above and average difference)."""
    by_need = {row.key: row for row in figures_["need"]}
    none = by_need.get(SenStatus.NONE)
    rows = []
    for need, label in NEEDS:
        row = by_need.get(need)
        if row is None:
            continue
        row.label = label
        row.gap = gap_between(row, none) if none is not None and need != SenStatus.NONE else None
        rows.append(row)
    return rows


def primary_need_rows(figures_):
    """SEN pupils' figures by primary need (the DfE's order), with the gap to pupils with no SEN."""
    by_need = {row.key: row for row in figures_["primary_need"]}
    none = next((row for row in figures_["need"] if row.key == SenStatus.NONE), None)
    rows = []
    for code, label in NEED_TYPES:
        row = by_need.get(code)
        if row is None:
            continue
        row.label, row.code = label, code
        row.gap = gap_between(row, none) if none is not None else None
        rows.append(row)
    return rows


@dataclass
class SubjectRow:
    subject: object
    cells: list = field(default_factory=list)  # [(need label, Figures or None)]
    gap: float | None = None  # SEN (support and EHCP together) minus no SEN, points in % on or above


def subject_rows(figures_, subjects):
    """For each subject: each need's figures, and the SEN gap in % on or above target."""
    rows = []
    for subject in subjects:
        row = SubjectRow(subject=subject)
        for need, label in NEEDS:
            row.cells.append((label, figures_["subject_need"].get((subject.pk, need))))
        sen = [
            figures_["subject_need"][(subject.pk, n)]
            for n in SEN
            if (subject.pk, n) in figures_["subject_need"]
        ]
        none = figures_["subject_need"].get((subject.pk, SenStatus.NONE))
        if sen and none is not None:
            all_sen = combined(sen)
            if all_sen.on_or_above_pct is not None and none.on_or_above_pct is not None:
                row.gap = all_sen.on_or_above_pct - none.on_or_above_pct
        if any(cell for _label, cell in row.cells):
            rows.append(row)
    return rows


@dataclass
class SenPupil:
    pupil: Pupil
    figures: object = None
    plans: list = field(default_factory=list)
    attended: int = 0
    missed: int = 0
    places: int = 0

    @property
    def marked(self):
        return self.attended + self.missed

    @property
    def attendance_pct(self):
        return round(100 * self.attended / self.marked) if self.marked else None

    @property
    def on_count(self):
        """Grades on or above the grade expected now (None: no grade with a standing counted)."""
        return None if self.figures is None else self.figures.on_or_above

    @property
    def below_count(self):
        return None if self.figures is None else self.figures.below_or_well_below


def sen_pupils(pupil_ids, need=None):
    """The SEN pupils among `pupil_ids` (ids, or a query of them), by year and name: a sequence to page,
    whose pages read their pupils when taken (one query for the order, one for a page's pupils). Their
    figures (`add_figures`), plans and sessions (`add_plans_and_sessions`) are added to the rows a page
    shows."""
    pupils = Pupil.objects.filter(pk__in=pupil_ids, sen_status__in=SEN)
    if need in SEN:
        pupils = pupils.filter(sen_status=need)
    elif need == NOT_RECORDED:
        pupils = pupils.filter(sen_need="")
    elif need:
        pupils = pupils.filter(sen_need=need)
    # The order from plain values: a school of thousands has a thousand SEN pupils and a page shows fifty.
    # The same values sort the table by name, year and form, or need (SenPupils.keys).
    keys = {"name": {}, "year": {}, "need": {}}
    for pk, year, form, status, sen_need, *names in pupils.values_list(
        "pk", "year_group__number", "form__name", "sen_status", "sen_need", *Pupil.SORTED_NAME_FIELDS
    ):
        name = Pupil.sorted_name_of(*names)
        keys["name"][pk] = name
        keys["year"][pk] = (year, form or "", name)
        keys["need"][pk] = (status, sen_need, name)
    return SenPupils(sorted(keys["year"], key=lambda pk: keys["year"][pk][::2]), keys)


class SenPupils(Sequence):
    """SEN pupils in order (their ids); a slice is read as SenPupil rows in one query. `keys`: {column:
    {id: sort key}} for the table's name, year and need columns."""

    def __init__(self, pks, keys=None):
        self.pks = pks
        self.keys = keys or {}

    def __len__(self):
        return len(self.pks)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        pks = self.pks[index]
        found = Pupil.objects.select_related("form", "year_group").in_bulk(pks)
        return [SenPupil(pupil=found[pk]) for pk in pks]


def add_figures(rows, figures_):
    """Each row's standing counts, from `figures` counted for (at least) these rows' pupils."""
    for row in rows:
        row.figures = figures_["pupil"].get(row.pupil.pk)
    return rows


def add_plans_and_sessions(rows, plans):
    """Fill in each row's active plans and session attendance: two queries, however many rows.

    `plans` is the plans the user may see (interventions.plans.access.plans_visible_to).
    """
    out = {row.pupil.pk: row for row in rows}
    for plan in (
        plans.filter(pupil_id__in=out, status=PlanStatus.ACTIVE)
        .select_related("department")
        .order_by("pupil_id", "-level", "pk")
    ):
        out[plan.pupil_id].plans.append(plan)
    sessions = (
        Allocation.objects.filter(pupil_id__in=out, status=AllocationStatus.CONFIRMED)
        .values("pupil_id")
        .annotate(
            places=Count("pk"),
            attended=Count("pk", filter=Q(attendance__in=[Attendance.PRESENT, Attendance.LATE])),
            missed=Count("pk", filter=Q(attendance=Attendance.ABSENT)),
        )
        .order_by()
    )
    for row in sessions:
        found = out[row["pupil_id"]]
        found.places, found.attended, found.missed = row["places"], row["attended"], row["missed"]
    return rows
