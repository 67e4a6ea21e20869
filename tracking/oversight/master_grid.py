"""The department master tracking grid (Laude policy): pupils x every assessment point across years.

For the pupils now in one year group taking a subject: their grade at every point of this year and
the two before, their target, latest grade and progress against target. A fixed handful of queries;
grade entries are fetched in one query and pivoted in Python.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

import django_filters
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from tracking import standing
from tracking.models import (
    AcademicYear,
    AssessmentPoint,
    Gender,
    GradeEntry,
    PriorBand,
    Pupil,
    SenStatus,
    Target,
    TeachingGroup,
)
from tracking.school.filters import AnyYesNo
from tracking.templatetags.uplift import badge_label

YEARS_BACK = 2


def year_groups_with_groups(subjects):
    """{subject_id: [year numbers with a teaching group this year]} in one query."""
    rows = (
        TeachingGroup.objects.filter(subject__in=[s.pk for s in subjects], academic_year__is_current=True)
        .values_list("subject_id", "year_group__number")
        .distinct()
        .order_by("subject_id", "year_group__number")
    )
    out = {}
    for subject_id, number in rows:
        out.setdefault(subject_id, []).append(number)
    return out


@dataclass
class Cell:
    """A pupil's grade at one point: the grade that counts (code, rank, step) and what was entered."""

    code: str
    rank: int
    step: int
    current_code: str = ""
    predicted_code: str = ""
    security: str = ""
    effort: int | None = None
    current: object = None
    predicted: object = None


@dataclass
class Grid:
    subject: object
    year_number: int
    points: list
    groups: list
    rows: list = field(default_factory=list)


def _years(school):
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts_on"))
    current = next((i for i, y in enumerate(years) if y.is_current), None)
    return [] if current is None else years[current : current + YEARS_BACK + 1]


def grid_for(subject, year_number, today=None):
    """The grid's frame: its points (columns) and this year's teaching groups, before any rows."""
    today = today or timezone.localdate()
    years = _years(subject.school)
    clauses = [
        Q(academic_year=year, year_group__number=year_number - back)
        for back, year in enumerate(years)
        if year_number - back >= 7
    ]
    points = []
    if clauses:
        points = list(
            AssessmentPoint.objects.filter(reduce(or_, clauses), school=subject.school, opens_on__lte=today)
            .select_related("academic_year", "year_group")
            .order_by("academic_year__starts_on", "sequence")
        )
    groups = list(
        TeachingGroup.objects.filter(
            subject=subject, academic_year__is_current=True, year_group__number=year_number
        ).order_by("name")
    )
    return Grid(subject=subject, year_number=year_number, points=points, groups=groups)


def pupils_queryset(grid, visible=None):
    # A subquery, not a join: a pupil in two of the groups is one row without a DISTINCT over every
    # column (which the database sorted a whole year group for, even for a page of 50).
    taught = TeachingGroup.pupils.through.objects.filter(teachinggroup__in=[g.pk for g in grid.groups])
    pupils = Pupil.objects.filter(pk__in=taught.values("pupil_id"), is_active=True)
    if visible is not None:
        pupils = pupils.filter(pk__in=visible.values("pk"))
    return _grid_columns(grid, pupils).order_by("legal_last_name", "legal_first_name", "pk")


def _grid_columns(grid, pupils):
    taught = TeachingGroup.pupils.through.objects.filter(teachinggroup__in=[g.pk for g in grid.groups])
    # The pupil's group in the grid (the first they joined, were they in two), read with the pupil.
    group = taught.filter(pupil_id=OuterRef("pk")).order_by("pk").values("teachinggroup_id")[:1]
    # The form's name, not the form: a sorted Year 11 of 1,200 built 1,200 FormGroups for some forty forms.
    return pupils.annotate(grid_group_id=Subquery(group), grid_form_name=F("form__name"))


def fill_rows(grid, pupils):
    """Pivot one query of grade entries into a row per pupil (with targets from one more query).
    `pupils` come from `pupils_queryset` (each with its group in the grid)."""
    pupils = list(pupils)
    ids = [p.pk for p in pupils]
    groups = {g.pk: g for g in grid.groups}
    book = standing.Book(grid.subject.school)
    points = {p.pk: p for p in grid.points}
    cells = {}
    # A year group's entries repeat a few dozen grades: each distinct entry is judged and built once.
    built = {}
    entries = GradeEntry.objects.filter(
        subject=grid.subject, point__in=list(points), pupil_id__in=ids
    ).values_list("pupil_id", "point_id", "current_id", "predicted_id", "security", "effort")
    graded = False  # whether the book's grades have been read (they are read with the first grade)
    for pupil_id, *entry in entries:
        graded = graded or entry[1] is not None or entry[2] is not None
        key = tuple(entry)
        if key not in built:
            built[key] = _cell(book, points[entry[0]], *entry[1:])
        if built[key] is not None:
            cells[(pupil_id, entry[0])] = built[key]
    # The grades come from the book already read, not three joins per target (joined when no grade
    # has read the book: reading all of it for the targets alone would be one query more).
    targets = {}
    relations = ("grade", "published_grade", "requested_grade")
    found = Target.objects.filter(subject=grid.subject, pupil_id__in=ids)
    for target in found if graded else found.select_related(*relations):
        targets[target.pupil_id] = book.fill_grades(target, *relations) if graded else target
    school = grid.subject.school
    subject_id = grid.subject.pk
    columns = [(point, point.pk, f"p{point.pk}", f"p{point.pk}_rank") for point in grid.points]
    bands = dict(Pupil._meta.get_field("prior_band").flatchoices)
    rows = []
    for pupil in pupils:
        pk = pupil.pk
        group = groups.get(pupil.grid_group_id)  # from pupils_queryset
        row = {
            "pupil": pupil,
            "name": pupil.sorted_name,
            "group": group,
            "group_name": getattr(group, "name", ""),
            "form": pupil.grid_form_name if pupil.form_id else "",
            "prior_band": str(bands.get(pupil.prior_band, pupil.prior_band)) if pupil.prior_band else "",
        }
        target = targets.get(pk)
        published = standing.counting_target(target)
        pending = standing.pending_target(target)
        row["target"] = published.code if published else ""
        row["target_rank"] = published.rank if published else None
        row["pending"] = pending.code if pending else ""
        latest, latest_point = None, None
        for point, point_id, key, rank_key in columns:
            cell = cells.get((pk, point_id))
            row[key] = cell
            if cell is None:
                row[rank_key] = None
            else:
                row[rank_key] = cell.rank
                latest, latest_point = cell, point
        row["latest"] = latest.code if latest else ""
        row["latest_rank"] = latest.rank if latest else None
        if latest is None:
            result = standing.Standing(pupil_id=pk, subject_id=subject_id)
        else:
            result = book.judge(
                latest_point,
                current=latest.current,
                predicted=latest.predicted,
                target=target,
                pupil_id=pk,
                subject_id=subject_id,
            )
        row["expected"] = result.expected.code if result.expected else ""
        row["expected_rank"] = result.expected.rank if result.expected else None
        row["progress"] = result
        row["progress_sort"] = result.diff
        row["progress_label"] = badge_label(result, school)
        rows.append(row)
    grid.rows = rows
    return rows


def _cell(book, point, current_id, predicted_id, security, effort):
    """The Cell of one entry at `point`, or None when no grade counts there."""
    current, predicted = book.value(current_id), book.value(predicted_id)
    grade = standing.counting_grade(point, current, predicted)
    if grade is None:
        return None
    return Cell(
        grade.code,
        grade.rank,
        grade.step,
        current.code if current else "",
        predicted.code if predicted else "",
        security,
        effort,
        current=current,
        predicted=predicted,
    )


class PagedRows(Sequence):
    """The grid's rows in the pupils' order (by name), each built only when a page of the table asks
    for it: a page of 50 costs the same in a Year 11 of 1,200 as in one of 120. For the grid as it
    opens; sorting a column or keeping only pupils below target needs every row (`fill_rows`).

    The filtered pupils' ids are read once, in order (their number is the table's count); a page then
    reads its pupils by id, so the access and filter subqueries are planned once, not twice."""

    def __init__(self, grid, pupils):
        self.grid = grid
        self.pupils = pupils  # a queryset in the grid's order
        self._ids = None

    def ids(self):
        if self._ids is None:
            self._ids = list(self.pupils.values_list("pk", flat=True))
        return self._ids

    def __len__(self):
        return len(self.ids())

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            ids = self.ids()[start:stop]
            by_id = {p.pk: p for p in _grid_columns(self.grid, Pupil.objects.filter(pk__in=ids))}
            return fill_rows(self.grid, [by_id[pk] for pk in ids])[::step]
        return self[index : index + 1][0]


def build(*, subject, year_number, filter_data=None, visible=None, paged=False):
    """Frame, filter and rows in one call (used by the view, the export and the benchmark).

    `visible` limits the rows to the pupils a user may see: a subject teacher gets their own pupils,
    not the whole cohort's names and needs. `paged` returns the rows as `PagedRows` (built a page at
    a time) unless the filter keeps only pupils below target, which needs every row's standing.
    """
    grid = grid_for(subject, year_number)
    grid_filter = MasterFilter(filter_data or {}, queryset=pupils_queryset(grid, visible), grid=grid)
    if paged and not grid_filter.filters_rows():
        return grid, grid_filter, PagedRows(grid, grid_filter.qs)
    rows = fill_rows(grid, grid_filter.qs)
    return grid, grid_filter, grid_filter.filter_rows(rows)


class MasterFilter(django_filters.FilterSet):
    group = django_filters.ModelChoiceFilter(
        field_name="teaching_groups", queryset=TeachingGroup.objects.none(), label="Teaching group"
    )
    disadvantaged = django_filters.BooleanFilter(label="Disadvantaged", widget=AnyYesNo)
    sen_status = django_filters.ChoiceFilter(choices=SenStatus.choices, label="SEN")
    eal = django_filters.BooleanFilter(label="EAL", widget=AnyYesNo)
    gender = django_filters.ChoiceFilter(choices=Gender.choices)
    prior_band = django_filters.ChoiceFilter(
        choices=[c for c in PriorBand.choices if c[0]], label="Prior attainment"
    )
    below_target = django_filters.BooleanFilter(method="keep_all", label="Below target", widget=AnyYesNo)

    class Meta:
        model = Pupil
        fields = ["group", "disadvantaged", "sen_status", "eal", "gender", "prior_band", "below_target"]

    def __init__(self, *args, grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["group"].queryset = TeachingGroup.objects.filter(pk__in=[g.pk for g in grid.groups])

    def keep_all(self, queryset, name, value):
        return queryset  # "below target" depends on grades, so it is applied to the pivoted rows

    def filters_rows(self):
        """Whether `filter_rows` keeps only some rows (below target), which needs every row built."""
        self.is_valid()
        return bool((self.form.cleaned_data or {}).get("below_target"))

    def filter_rows(self, rows):
        if self.filters_rows():
            rows = [r for r in rows if r["progress"].is_below]
        return rows
