"""The dashboard's tables: a level's figures, the trend, the trust's gaps, in-school variation and a
teaching group's pupils. Rows are `figures.Figures` dressed by the view (label, link, bar segments);
headings use the school's own words for standings."""

import html
from functools import partial

import django_tables2 as tables
from django.conf import settings
from django.utils.html import conditional_escape, format_html

from tracking import standing
from tracking.dashboards.tables.columns import NUM, Column, PercentColumn, number_html
from tracking.lib.links import url_for_pk
from tracking.lib.tables import PagedTable
from tracking.templatetags.dashboard_bars import bar_svg
from tracking.templatetags.uplift import standing_html


def _label_html(default, record):
    """FiguresTable.render_label's cell: the row's label, linked when it has a link."""
    label = record.label
    if label is None or label == "":
        return default
    link = getattr(record, "link", None)
    return format_html('<a href="{}">{}</a>', link, label) if link else conditional_escape(label)


def _count_pattern():
    """How a template writes a count: plainly unless the site groups thousands (then `localize`)."""
    return None if settings.USE_THOUSAND_SEPARATOR else "{}"


class FiguresTable(PagedTable):
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
                cells[name] = partial(number_html, name, "{:.2f}", default)
            elif isinstance(bound.column, PercentColumn):
                cells[name] = partial(number_html, name, "{}%", default)
            elif name in ("graded", "up", "down"):
                cells[name] = partial(number_html, name, _count_pattern(), default)
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


class TrendTable(PagedTable):
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


class GapsTable(PagedTable):
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


class GroupPupilsTable(PagedTable):
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
