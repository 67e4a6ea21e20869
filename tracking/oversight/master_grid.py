"""The department master tracking grid (Laude policy): pupils x every assessment point across years.

For the pupils now in one year group taking a subject: their grade at every point of this year and
the two before, their target, latest grade and progress against target. A fixed handful of queries;
grade entries are fetched in one query and pivoted in Python.
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

import django_filters
import django_tables2 as tables
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tables2.data import TableListData

from tracking import standing
from tracking.lib.links import url_for_pk
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
from tracking.school.tables import pupil_flags_html
from tracking.templatetags.uplift import badge_label, standing_html

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


class GradeColumn(tables.Column):
    def __init__(self, point, **kwargs):
        super().__init__(
            accessor=f"p{point.pk}",
            order_by=(f"p{point.pk}_rank",),
            verbose_name=point.name,
            attrs={"th": {"class": "num"}, "td": {"class": "num"}},
            **kwargs,
        )

    def render(self, value):
        return mark_safe(cell_html(value))


def cell_html(cell):
    """A grade cell's content: the grade that counts, with what was entered as its title."""
    detail = [f"Current {cell.current_code or '—'}"]
    if cell.predicted_code:
        detail.append(f"predicted {cell.predicted_code}")
    if cell.security:
        detail.append(f"security {cell.security}")
    if cell.effort:
        detail.append(f"effort {cell.effort}")
    # Written directly rather than by format_html: a page has some 500 of these cells.
    return f'<span title="{html.escape(", ".join(detail))}">{html.escape(cell.code)}</span>'


class MasterTable(tables.Table):
    name = tables.Column(verbose_name="Pupil", order_by=("name",))
    group_name = tables.Column(verbose_name="Group")
    flags = tables.Column(empty_values=(), orderable=False, verbose_name="Flags")
    prior_band = tables.Column(verbose_name="Prior")
    target = tables.Column(
        verbose_name="Target",
        order_by=("target_rank",),
        attrs={"th": {"class": "num"}, "td": {"class": "num"}},
    )

    class Meta:
        attrs = {"class": "table table-compact master-grid"}
        template_name = "django_tables2/uplift.html"
        empty_text = "No pupils match these filters."

    def __init__(self, *args, school=None, linkable=None, **kwargs):
        self.school = school
        self.linkable = linkable
        super().__init__(*args, **kwargs)

    def cell_html(self):
        """Every cell's HTML in one call per cell, as the columns' render methods and defaults give it
        (see tracking.templatetags.uplift_tables.table_row): a page is 50 rows by some 20 columns."""
        default = html.escape(str(self.columns["name"].default))

        def text(key):
            def render(record):
                value = record[key]
                return default if value in (None, "") else html.escape(str(value))

            return render

        def name(record):
            pk = record["pupil"].pk
            if self.linkable is not None and pk not in self.linkable:
                return html.escape(record["name"])
            return f'<a href="{url_for_pk("pupil_detail", pk)}">{html.escape(record["name"])}</a>'

        def target(record):
            value = record["target"]
            if value in (None, ""):
                return default
            if record.get("pending"):
                pending = html.escape(str(record["pending"]))
                return f'{html.escape(str(value))} <small class="target-pending">pending {pending}</small>'
            return html.escape(str(value))

        def grade(key):
            def render(record):
                cell = record[key]
                return default if cell is None else cell_html(cell)

            return render

        out = {name_: text(name_) for name_ in ("group_name", "prior_band", "latest", "expected")}
        out["name"] = name
        out["target"] = target
        out["flags"] = lambda record: pupil_flags_html(record["pupil"])
        out["progress"] = lambda record: standing_html(
            record["progress"], None, label=record["progress_label"]
        )
        for column in self.columns:
            if isinstance(column.column, GradeColumn):
                out[column.name] = grade(column.name)
        return out

    def render_name(self, record):
        pk = record["pupil"].pk
        if self.linkable is not None and pk not in self.linkable:
            return record["name"]  # a subject teacher sees the cohort but opens only their own pupils
        return format_html('<a href="{}">{}</a>', url_for_pk("pupil_detail", pk), record["name"])

    def render_flags(self, record):
        return pupil_flags_html(record["pupil"])

    def render_target(self, record, value):
        if record.get("pending"):
            pending = record["pending"]
            return format_html('{} <small class="target-pending">pending {}</small>', value, pending)
        return value


class _ProgressColumn(tables.Column):
    def render(self, record):
        return standing_html(record["progress"], None, label=record["progress_label"])


def table_for(grid, rows, linkable=None):
    # Latest grade and progress sit beside the target, so the verdict is visible without scrolling.
    extra = [
        (
            "latest",
            tables.Column(
                verbose_name="Latest",
                order_by=("latest_rank",),
                attrs={"th": {"class": "num"}, "td": {"class": "num"}},
            ),
        ),
        (
            "expected",
            tables.Column(
                verbose_name="Expected now",
                order_by=("expected_rank",),
                attrs={"th": {"class": "num"}, "td": {"class": "num"}},
            ),
        ),
        (
            "progress",
            _ProgressColumn(verbose_name="Against expected", order_by=("progress_sort",), empty_values=()),
        ),
    ]
    # Newest point first, beside the verdict: the latest data is in view without scrolling sideways.
    extra += [(f"p{point.pk}", GradeColumn(point)) for point in reversed(grid.points)]
    data = TableListData(rows) if isinstance(rows, PagedRows) else rows  # not copied into a list
    return MasterTable(data, extra_columns=extra, school=grid.subject.school, linkable=linkable)


SORTABLE = {"name", "group_name", "prior_band", "target", "expected", "latest", "progress"}


def sort_rows(grid, rows, sort):
    """The export's order follows the table's ?sort= (same keys the table uses)."""
    if not sort:
        return rows
    key = sort.lstrip("-")
    fields = {
        "target": "target_rank",
        "expected": "expected_rank",
        "latest": "latest_rank",
        "progress": "progress_sort",
    }
    fields.update({f"p{p.pk}": f"p{p.pk}_rank" for p in grid.points})
    if key not in SORTABLE and key not in fields:
        return rows
    name = fields.get(key, key)
    present = [r for r in rows if r.get(name) is not None]
    missing = [r for r in rows if r.get(name) is None]
    return sorted(present, key=lambda r: r[name], reverse=sort.startswith("-")) + missing


def export_headers(grid):
    return (
        [
            "Pupil",
            "UPN",
            "Group",
            "Form",
            "Disadvantaged",
            "SEN",
            "EAL",
            "Gender",
            "Prior attainment",
            "Target",
        ]
        + [p.name for p in grid.points]
        + ["Latest", "Expected now", "Against expected", "Grades from expected"]
    )


def export_rows(grid, rows):
    for row in rows:
        pupil = row["pupil"]
        yield (
            [
                row["name"],
                pupil.upn,
                row["group_name"],
                row["form"],
                "Y" if pupil.disadvantaged else "",
                pupil.sen_status if pupil.sen_status != "N" else "",
                "Y" if pupil.eal else "",
                pupil.gender,
                row["prior_band"],
                row["target"],
            ]
            + [(row[f"p{p.pk}"].code if row[f"p{p.pk}"] else "") for p in grid.points]
            + [
                row["latest"],
                row["expected"],
                row["progress_label"] if row["progress"].status != "none" else "",
                row["progress"].diff if row["progress"].diff is not None else "",
            ]
        )
