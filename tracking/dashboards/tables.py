"""The dashboards' tables: sortable on the page (django-tables2) and exported as CSV or XLSX.

Rows are `figures.Figures` dressed by the view (label, link, bar segments). Headings use the school's
own words for standings. Exports go through tracking.lib.exports, which neutralises spreadsheet formulas.
"""

import copy
import html
import inspect
from functools import lru_cache, partial

import django_tables2 as tables
from django.conf import settings
from django.http import HttpResponse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.text import slugify

from tracking import standing
from tracking.dashboards.group_pupils import standing_order
from tracking.lib import exports, percentages
from tracking.lib.links import url_for_pk
from tracking.templatetags.dashboard_bars import bar_svg
from tracking.templatetags.uplift import percent, standing_html

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class Column(tables.Column):
    """A column copied shallowly into each table. django-tables2 deep-copies every column of every
    table it makes, and a dashboard makes a dozen tables of thirteen columns; a column's settings are
    replaced on a table's own copy (a heading, a hidden column), never changed in place."""

    def __deepcopy__(self, memo):
        return copy.copy(self)


class PercentColumn(Column):
    def __init__(self, **kwargs):
        super().__init__(attrs=NUM, **kwargs)

    def render(self, value):
        return f"{value}%"


def _label_html(default, record):
    """FiguresTable.render_label's cell: the row's label, linked when it has a link."""
    label = record.label
    if label is None or label == "":
        return default
    link = getattr(record, "link", None)
    return format_html('<a href="{}">{}</a>', link, label) if link else conditional_escape(label)


def _number_html(name, pattern, default, record):
    """A number's cell, written by `pattern` (None: as a template writes the number), the default when
    there is none. Numbers need no escaping."""
    value = getattr(record, name)
    if value is None or value == "":
        return default
    return localize(value) if pattern is None else pattern.format(value)


def _count_pattern():
    """How a template writes a count: plainly unless the site groups thousands (then `localize`)."""
    return None if settings.USE_THOUSAND_SEPARATOR else "{}"


def _rendered_html(name, render, takes_record, default, record):
    """A cell written by the table's render_<name>([record,] value), the default when there is no value."""
    value = getattr(record, name)
    if value is None or value == "":
        return default
    content = render(record=record, value=value) if takes_record else render(value=value)
    return conditional_escape(content if isinstance(content, str) else localize(content))


class FiguresTable(tables.Table):
    label = Column(verbose_name="", order_by=("label",))
    graded = Column(verbose_name="Grades", attrs=NUM)
    bar = Column(
        accessor="label",  # drawn from the whole record (render_bar); any field spares a failed lookup
        verbose_name="Standing",
        orderable=False,
        exclude_from_export=True,
        empty_values=(),
        attrs={"td": {"class": "bar-col"}, "th": {"class": "bar-col"}},
    )
    above_pct = PercentColumn()
    on_pct = PercentColumn()
    below_pct = PercentColumn()
    well_below_pct = PercentColumn()
    avg_diff = Column(verbose_name="Average difference (grades)", attrs=NUM)
    avg_gcse_grade = Column(verbose_name="Average GCSE grade", attrs=NUM)
    pass4_pct = PercentColumn(verbose_name="Grade 4+")
    pass5_pct = PercentColumn(verbose_name="Grade 5+")
    up = Column(verbose_name="Up", attrs=NUM)
    down = Column(verbose_name="Down", attrs=NUM)

    class Meta:
        attrs = {"class": "table table-compact dashboard-table"}
        empty_text = "No grades here yet."
        orderable = True

    def __init__(self, data, *, heading, labels, **kwargs):
        super().__init__(data, **kwargs)
        self.title = heading
        self.columns["label"].column.verbose_name = heading
        for status in ("above", "on", "below", "well_below"):
            self.columns[f"{status}_pct"].column.verbose_name = f"% {labels[status]}"

    def cell_html(self):
        """Every cell's HTML, as the columns' render methods and defaults give it (see
        tracking.templatetags.uplift_tables.table_row): django-tables2's own lookup, for a row of
        figures, was most of the time of a page of tables."""
        cells = {}
        for bound in self.columns:
            name = bound.name
            default = html.escape(str(bound.default))
            if name == "label":
                cells[name] = partial(_label_html, default)
            elif name == "bar":
                cells[name] = bar_svg
            elif name == "outlier":
                cells[name] = lambda record: conditional_escape(self.render_outlier(record))
            elif name in ("avg_diff", "avg_gcse_grade"):
                cells[name] = partial(_number_html, name, "{:.2f}", default)
            elif isinstance(bound.column, PercentColumn):
                cells[name] = partial(_number_html, name, "{}%", default)
            elif name in ("graded", "up", "down"):
                cells[name] = partial(_number_html, name, _count_pattern(), default)
        return cells

    def render_label(self, record, value):
        link = getattr(record, "link", None)
        return format_html('<a href="{}">{}</a>', link, value) if link else value

    def render_bar(self, record):
        return bar_svg(record)

    def value_label(self, value):
        return value

    def render_avg_diff(self, value):
        return f"{value:.2f}"

    def value_avg_diff(self, value):
        return None if value is None else round(value, 2)

    def render_avg_gcse_grade(self, value):
        return f"{value:.2f}"


class TrendTable(tables.Table):
    """The trend through the year (rows: queries.TrendRow): each half term this year and the same half
    term last year, with the change. In half-term order: a time series is not sorted."""

    label = Column(verbose_name="Half term")
    this_years = Column(verbose_name="Year groups", default="–")
    this_graded = Column(verbose_name="Grades", attrs=NUM, default="–")
    this_pct = PercentColumn(default="–")
    this_avg_diff = Column(verbose_name="Average difference (grades)", attrs=NUM, default="–")
    last_years = Column(verbose_name="Year groups", default="–")
    last_graded = Column(verbose_name="Grades", attrs=NUM, default="–")
    last_pct = PercentColumn(default="–")
    last_avg_diff = Column(verbose_name="Average difference (grades)", attrs=NUM, default="–")
    change_pct = Column(verbose_name="Change in %, points", attrs=NUM, default="–")
    change_avg_diff = Column(verbose_name="Change in average difference", attrs=NUM, default="–")

    class Meta:
        attrs = {"class": "table table-compact dashboard-table trend-table"}
        empty_text = "No grades at this year's points yet."
        orderable = False

    def __init__(self, trend, *, on_label, **kwargs):
        super().__init__(trend.rows, **kwargs)
        self.title = "Trend"
        this = str(trend.this_year or "This year")
        last = str(trend.last_year or "Last year")
        for when, name in ((this, "this"), (last, "last")):
            self.columns[f"{name}_years"].column.verbose_name = f"{when}: year groups"
            self.columns[f"{name}_graded"].column.verbose_name = f"{when}: grades"
            self.columns[f"{name}_pct"].column.verbose_name = f"{when}: % {on_label.lower()}"
            self.columns[f"{name}_avg_diff"].column.verbose_name = f"{when}: average difference (grades)"
        self.columns["change_pct"].column.verbose_name = f"Change in % {on_label.lower()} (points)"
        self.columns["change_avg_diff"].column.verbose_name = "Change in average difference (grades)"

    def render_this_avg_diff(self, value):
        return f"{value:.2f}"

    def render_last_avg_diff(self, value):
        return f"{value:.2f}"

    def render_change_pct(self, value):
        return f"{value:+d}"

    def render_change_avg_diff(self, value):
        return f"{value:+.2f}"

    def value_this_avg_diff(self, value):
        return None if value is None else round(value, 2)

    def value_last_avg_diff(self, value):
        return None if value is None else round(value, 2)


class GapsTable(tables.Table):
    """Gaps side by side (rows: a dict per gap, queries.gap_between's with the school's name and the
    gap's label): the trust's schools, each gap its own row."""

    label = Column(verbose_name="Gap")
    school = Column(verbose_name="School")
    on_or_above = Column(verbose_name="% on target or above (points)", attrs=NUM, default="–")
    avg_diff = Column(verbose_name="Average difference (grades)", attrs=NUM, default="–")
    avg_gcse_grade = Column(verbose_name="Average GCSE grade", attrs=NUM, default="–")
    pass4 = Column(verbose_name="Grade 4+ (points)", attrs=NUM, default="–")

    class Meta:
        attrs = {"class": "table table-compact dashboard-table"}
        empty_text = "No gaps to compare yet."
        orderable = False

    title = "Gaps"

    def render_on_or_above(self, value):
        return f"{value:+d}"

    def render_avg_diff(self, value):
        return f"{value:+.2f}"

    def render_avg_gcse_grade(self, value):
        return f"{value:+.2f}"

    def render_pass4(self, value):
        return f"{value:+d}"

    def value_on_or_above(self, value):
        return value

    def value_avg_diff(self, value):
        return value

    def value_avg_gcse_grade(self, value):
        return value

    def value_pass4(self, value):
        return value


class VariationTable(FiguresTable):
    """Subjects or teaching groups side by side, each against its own pupils' targets, outliers marked."""

    outlier = Column(verbose_name="Compared with the rest", empty_values=(), order_by=("gap_to_rest",))

    class Meta(FiguresTable.Meta):
        sequence = ("label", "outlier", "...")
        row_attrs = {"class": lambda record: f"is-outlier outlier-{record.outlier}" if record.outlier else ""}

    def render_outlier(self, record):
        if not record.outlier:
            return "–"
        arrow, words = ("▲", "well above") if record.outlier == "above" else ("▼", "well below")
        return format_html(
            '<strong class="outlier-mark"><span aria-hidden="true">{}</span> {}</strong> ({})',
            arrow,
            words,
            f"{record.gap_to_rest:+.2f}",
        )

    def value_outlier(self, record):
        if not record.outlier:
            return ""
        return f"{'well above' if record.outlier == 'above' else 'well below'} ({record.gap_to_rest:+.2f})"


class Attainment8Table(tables.Table):
    """Each Year 10 and 11 pupil's Attainment 8 by element and Progress 8 (rows: attainment8_pupils.PupilA8).

    Sorted in Python (the rows are worked out from grades, not read from a table), a page at a time.
    """

    name = tables.Column(verbose_name="Pupil", order_by=("name",))
    upn = tables.Column(verbose_name="UPN", visible=False)
    year = tables.Column(verbose_name="Year", attrs=NUM)
    disadvantaged = tables.Column(verbose_name="Disadvantaged")
    english = tables.Column(verbose_name="English", attrs=NUM)
    maths = tables.Column(verbose_name="Maths", attrs=NUM)
    ebacc = tables.Column(verbose_name="EBacc", attrs=NUM)
    open = tables.Column(verbose_name="Open", attrs=NUM)
    attainment8 = tables.Column(verbose_name="Attainment 8", attrs=NUM)
    estimate = tables.Column(verbose_name="Estimate", attrs=NUM, default="–")
    progress8 = tables.Column(verbose_name="Progress 8", attrs=NUM, default="–")
    # Each element's Progress 8: in the downloads (and the cohort tables, the slot page), not this wide table.
    english_p8 = tables.Column(verbose_name="English P8", attrs=NUM, default="–", visible=False)
    maths_p8 = tables.Column(verbose_name="Maths P8", attrs=NUM, default="–", visible=False)
    ebacc_p8 = tables.Column(verbose_name="EBacc P8", attrs=NUM, default="–", visible=False)
    open_p8 = tables.Column(verbose_name="Open P8", attrs=NUM, default="–", visible=False)

    class Meta:
        attrs = {"class": "table table-compact"}
        empty_text = "No Year 10 or 11 GCSE grades at this point."
        orderable = True
        per_page = 50

    title = "Attainment 8"

    def __init__(self, data, *, query="", **kwargs):
        super().__init__(data, **kwargs)
        self.query = query  # the page's term and cohort, carried to each pupil's slot breakdown

    def cell_html(self):
        """Every cell's HTML, as the columns' render methods and defaults give it (see
        tracking.templatetags.uplift_tables.table_row)."""
        cells = {}
        for bound in self.columns:
            name = bound.name
            render = getattr(self, f"render_{name}", None)
            default = html.escape(str(bound.default))
            if render is not None:
                takes_record = "record" in inspect.signature(render).parameters
                cells[name] = partial(_rendered_html, name, render, takes_record, default)
            else:
                cells[name] = partial(_number_html, name, None, default)
        return cells

    def render_name(self, record, value):
        return format_html('<a href="{}">{}</a>', url_for_pk("pupil_detail", record.pupil.pk), value)

    def value_name(self, value):
        return value

    def render_disadvantaged(self, value):
        return "Yes" if value else ""

    def value_disadvantaged(self, value):
        return "Y" if value else ""

    def render_english(self, record, value):
        if not record.english_double_weighted:
            return value
        return format_html(
            '{}<span class="visually-hidden"> (double weighted)</span>'
            '<abbr title="double weighted: English language and literature both taken">×2</abbr>',
            value,
        )

    def render_attainment8(self, record, value):
        return format_html(
            '<a href="{}?{}"><strong>{}</strong><span class="visually-hidden">, slots of {}</span></a>',
            url_for_pk("dashboard_attainment8_pupil", record.pupil.pk),
            self.query,
            value,
            record.name,
        )

    def value_english(self, value):
        return value

    def value_attainment8(self, value):
        return value

    def value_estimate(self, value):
        return value

    def value_progress8(self, value):
        return value

    value_english_p8 = value_maths_p8 = value_ebacc_p8 = value_open_p8 = value_progress8


class GroupPupilsTable(tables.Table):
    """A teaching group's pupils (rows: group_pupils.PupilStanding): each one's grade and standing in the
    group's subject. Sorted in Python (a class of some thirty), fifty a page; the downloads and the PDF
    have every pupil."""

    name = tables.Column(verbose_name="Pupil", order_by=("name",))
    upn = tables.Column(verbose_name="UPN", visible=False)
    form = tables.Column(verbose_name="Form", order_by=("form", "name"))
    grade = tables.Column(verbose_name="Grade", order_by=("grade_rank", "name"), default="–")
    standing = tables.Column(
        verbose_name="Standing", accessor="result", order_by=("standing_order", "name"), empty_values=()
    )

    class Meta:
        attrs = {"class": "table table-compact"}
        empty_text = "No grades here yet."
        orderable = True
        per_page = 50

    title = "Pupils"

    def __init__(self, data, *, school, **kwargs):
        super().__init__(data, **kwargs)
        self.school = school

    def render_name(self, record, value):
        return format_html('<a href="{}">{}</a>', url_for_pk("pupil_detail", record.pupil.pk), value)

    def value_name(self, value):
        return value

    def render_standing(self, value):
        return standing_html(value, self.school)

    def value_standing(self, value):
        return standing.label(value.status, self.school)


# Attendance figures repeat across a year's rows: each is formatted once (tracking.lib.percentages).
_percent = lru_cache(maxsize=4096)(percentages.percent)


def attendance_html(row, low):
    """A listed pupil's attendance cell's HTML: "93.1%", with `low` (HTML) after it when under the
    threshold (rows: year_lists.PupilCounts)."""
    if row.pupil.attendance is None:
        return percentages.UNKNOWN
    return f"{_percent(row.pupil.attendance)}{low if row.attendance_low else ''}"


LOW_ATTENDANCE = format_html(' <strong class="attendance-low">{}</strong>', "(low: check attendance)")


def _listed_name_html(record):
    pupil = record.pupil
    return f'<a href="{url_for_pk("pupil_detail", pupil.pk)}">{html.escape(pupil.sorted_name)}</a>'


class YearListTable(tables.Table):
    """One of the year leaders' lists (rows: year_lists.PupilCounts), fifty a page, each list sorted and
    paged on its own (its name is the prefix: ?good_effort-sort=, ?good_effort-page=). Rows are sorted in
    Python (they are counted in the database, then drawn); the downloads and the PDF have every member.
    Cells are written by `cell_html`: a year of a thousand pupils puts hundreds on a list."""

    name = Column(verbose_name="Pupil", accessor="pupil__sorted_name", order_by=("pupil__sorted_name",))
    form = Column(verbose_name="Form", accessor="pupil__form", order_by=("pupil__form", "pupil__sorted_name"))
    graded = Column(verbose_name="Subjects", attrs=NUM)
    above = Column(verbose_name="Above expected", attrs=NUM)
    below = Column(verbose_name="Below expected", attrs=NUM)
    good_effort = Column(verbose_name="Effort good", attrs=NUM)
    effort_concern = Column(verbose_name="Effort concern", attrs=NUM)
    attendance = Column(
        verbose_name="Attendance", accessor="pupil__attendance", attrs=NUM, order_by=("pupil__attendance",)
    )

    class Meta:
        attrs = {"class": "table table-compact"}
        empty_text = "Nobody on this list at this point."
        orderable = True
        per_page = 50

    def __init__(self, data, *, name, title, **kwargs):
        super().__init__(data, prefix=f"{name}-", **kwargs)
        self.title, self.anchor = title, name  # sort and page links come back to the list

    def cell_html(self):
        cells = {
            "name": _listed_name_html,
            "form": lambda record: html.escape(record.pupil.form or ""),
            "attendance": lambda record: attendance_html(record, LOW_ATTENDANCE),
        }
        for name in ("graded", "above", "below", "good_effort", "effort_concern"):
            cells[name] = lambda record, name=name: str(int(getattr(record, name)))
        return cells


def _count_html(name, record):
    return str(int(getattr(record, name)))


def _pct_html(value):
    return "–" if value is None else f"{value}%"


class TransitionSubjectTable(tables.Table):
    """The transition report's standing by subject (rows: figures.Figures labelled with the subject)."""

    label = Column(verbose_name="Subject")
    graded = Column(verbose_name="Grades", attrs=NUM)
    on_or_above_pct = Column(attrs=NUM)
    below = Column(attrs=NUM)
    well_below = Column(attrs=NUM)
    avg_diff = Column(verbose_name="Avg diff", attrs=NUM)

    class Meta:
        attrs = {"class": "table table-compact"}
        empty_text = "No grades at this point."
        orderable = True

    def __init__(self, data, *, labels, on_target, **kwargs):
        super().__init__(data, prefix="s-", **kwargs)
        self.anchor = "by-subject"
        self.columns["on_or_above_pct"].column.verbose_name = on_target
        self.columns["below"].column.verbose_name = labels["below"]
        self.columns["well_below"].column.verbose_name = labels["well_below"]

    def cell_html(self):
        return {
            "label": lambda record: html.escape(record.label),
            "graded": partial(_count_html, "graded"),
            "on_or_above_pct": lambda record: _pct_html(record.on_or_above_pct),
            "below": partial(_count_html, "below"),
            "well_below": partial(_count_html, "well_below"),
            "avg_diff": lambda record: "–" if record.avg_diff is None else f"{record.avg_diff:.2f}",
        }


class RecommendedTable(tables.Table):
    """The transition report's pupils recommended for next year's mentoring (rows: year_lists.PupilCounts
    with their `reasons`). Every one on the page (a year of a thousand puts hundreds here: the cells are
    written by `cell_html`)."""

    name = Column(verbose_name="Pupil", accessor="pupil__sorted_name", order_by=("pupil__sorted_name",))
    form = Column(verbose_name="Form", accessor="pupil__form", order_by=("pupil__form", "pupil__sorted_name"))
    below = Column(verbose_name="Below expected", attrs=NUM)
    effort_concern = Column(verbose_name="Effort concerns", attrs=NUM)
    attendance = Column(
        verbose_name="Attendance", accessor="pupil__attendance", attrs=NUM, order_by=("pupil__attendance",)
    )
    reasons = Column(verbose_name="Also on record", orderable=False, empty_values=())

    class Meta:
        attrs = {"class": "table table-compact"}
        empty_text = "Nobody recommended at this point."
        orderable = True

    def __init__(self, data, *, under, **kwargs):
        super().__init__(data, prefix="r-", **kwargs)
        self.anchor, self.under = "recommended", under  # `under`: after a low attendance, " (under 90%)"

    def cell_html(self):
        return {
            "name": lambda record: html.escape(record.pupil.sorted_name),
            "form": lambda record: html.escape(record.pupil.form or ""),
            "below": partial(_count_html, "below"),
            "effort_concern": partial(_count_html, "effort_concern"),
            "attendance": lambda record: attendance_html(record, self.under),
            "reasons": lambda record: "; ".join(html.escape(str(r)) for r in record.reasons) or "–",
        }


NO_TUTOR_CELL = '<span class="muted">–</span>'


def tutor_cell_html(result, effort, school):
    """One pupil's cell in one subject of the tutor's grid: grade, standing badge and effort."""
    if not result:
        return NO_TUTOR_CELL
    effort_html = f'<span class="effort">effort {int(effort)}</span>' if effort else ""
    grade = html.escape(str(result.grade or "–"))
    return f'<span class="grade-code">{grade}</span> {standing_html(result, school)}{effort_html}'


class TutorGridTable(tables.Table):
    """A form's pupils by subject (rows: tutor.Row): in each subject the grade, the standing badge and the
    effort. A subject's column sorts by standing, furthest behind first; the pupils by name or attendance.
    A form is some thirty pupils: every one on the page."""

    name = Column(verbose_name="Pupil", accessor="pupil__sorted_name", order_by=("pupil__sorted_name",))
    attendance = Column(
        verbose_name="Attendance", accessor="pupil__attendance", attrs=NUM, order_by=("pupil__attendance",)
    )

    class Meta:
        attrs = {"class": "table table-compact tutor-grid"}
        empty_text = "No pupils in the form."
        orderable = True

    def __init__(self, data, *, subjects, school, **kwargs):
        for row in data:
            row.order = {
                f"s{subject.pk}": None if result is None else standing_order(result)
                for subject, result, _effort in row.cells
            }
        columns = [
            (
                f"s{subject.pk}",
                Column(
                    verbose_name=format_html('<abbr title="{}">{}</abbr>', subject.name, subject.code),
                    accessor=f"order__s{subject.pk}",
                    order_by=(f"order__s{subject.pk}", "pupil__sorted_name"),
                    empty_values=(),
                ),
            )
            for subject in subjects
        ]
        super().__init__(data, prefix="g-", extra_columns=columns, **kwargs)
        self.anchor, self.school, self.subjects = "grid-heading", school, subjects

    def cell_html(self):
        cells = {
            "name": _listed_name_html,
            "attendance": lambda record: html.escape(percent(record.pupil.attendance)),
        }
        for index, subject in enumerate(self.subjects):
            cells[f"s{subject.pk}"] = lambda record, index=index: tutor_cell_html(
                *record.cells[index][1:], self.school
            )
        return cells


class FormSubjectsTable(tables.Table):
    """The form in each subject (rows: tutor.form_grid's per-subject summary)."""

    subject = Column(verbose_name="Subject", accessor="subject__name")
    judged = Column(verbose_name="Judged", attrs=NUM)
    on_or_above = Column(attrs=NUM, order_by=("pct", "on_or_above"))
    below = Column(verbose_name="Below", attrs=NUM)

    class Meta:
        attrs = {"class": "table table-compact"}
        empty_text = "No grades yet."
        orderable = True

    def __init__(self, data, *, on_label, **kwargs):
        super().__init__(data, prefix="p-", **kwargs)
        self.anchor = "subjects-heading"
        self.columns["on_or_above"].column.verbose_name = f"{on_label} or above"

    def cell_html(self):
        return {
            "subject": lambda record: html.escape(record["subject"].name),
            "judged": lambda record: str(int(record["judged"])),
            "on_or_above": lambda record: (
                f"{int(record['on_or_above'])}"
                + ("" if record["pct"] is None else f" ({int(record['pct'])}%)")
            ),
            "below": lambda record: str(int(record["below"])),
        }


class CohortA8Table(tables.Table):
    """One split of the cohort's A8/P8 (rows: attainment8_pupils.CohortA8), its gap as the last row."""

    label = tables.Column(verbose_name="")
    pupils = tables.Column(verbose_name="Pupils", attrs=NUM, default="")
    a8 = tables.Column(verbose_name="Average Attainment 8", attrs=NUM, default="–")
    with_p8 = tables.Column(verbose_name="Pupils with a Progress 8", attrs=NUM, default="")
    p8 = tables.Column(verbose_name="Average Progress 8", attrs=NUM, default="–")
    english_p8 = tables.Column(verbose_name="English P8", attrs=NUM, default="–")
    maths_p8 = tables.Column(verbose_name="Maths P8", attrs=NUM, default="–")
    ebacc_p8 = tables.Column(verbose_name="EBacc P8", attrs=NUM, default="–")
    open_p8 = tables.Column(verbose_name="Open P8", attrs=NUM, default="–")

    class Meta:
        attrs = {"class": "table table-compact dashboard-table"}
        row_attrs = {"class": lambda record: "is-gap" if record.is_gap else ""}
        empty_text = "No pupils here."
        orderable = False

    def __init__(self, data, *, heading, **kwargs):
        super().__init__(data, **kwargs)
        self.title = f"A8 {heading}"
        self.columns["label"].column.verbose_name = heading

    def render_label(self, record, value):
        return format_html("<strong>{}</strong>", value) if record.is_gap else value

    def render_a8(self, record, value):
        return f"{value:+.2f}" if record.is_gap else value

    def render_p8(self, record, value):
        # Two places, as the DfE reports Progress 8; a gap with its sign.
        return f"{value:+.2f}" if record.is_gap else f"{value:.2f}"

    render_english_p8 = render_maths_p8 = render_ebacc_p8 = render_open_p8 = render_p8

    def value_label(self, value):
        return value

    def value_a8(self, value):
        return value

    def value_p8(self, value):
        return value

    value_english_p8 = value_maths_p8 = value_ebacc_p8 = value_open_p8 = value_p8


def values(table):
    """(headers, rows) of a table as exported: every column but the bars, raw values."""
    rows = list(table.as_values())
    return rows[0], rows[1:]


def download(tables_, fmt, name):
    """One table as CSV, or several as one XLSX workbook with a sheet each."""
    if fmt == "csv":
        body, content_type = exports.render("csv", *values(tables_[0]))
    elif fmt == "xlsx":
        body = exports.workbook([(t.title, *values(t)) for t in tables_])
        content_type = exports.FORMATS["xlsx"]
    else:
        raise ValueError(fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
