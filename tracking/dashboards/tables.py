"""The dashboards' tables: sortable on the page (django-tables2) and exported as CSV or XLSX.

Rows are `queries.Figures` dressed by the view (label, link, bar segments). Headings use the school's
own words for standings. Exports go through tracking.lib.exports, which neutralises spreadsheet formulas.
"""

import django_tables2 as tables
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.text import slugify

from tracking.lib import exports
from tracking.templatetags.dashboard_bars import bar_svg

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class PercentColumn(tables.Column):
    def __init__(self, **kwargs):
        super().__init__(attrs=NUM, **kwargs)

    def render(self, value):
        return f"{value}%"


class FiguresTable(tables.Table):
    label = tables.Column(verbose_name="", order_by=("label",))
    graded = tables.Column(verbose_name="Grades", attrs=NUM)
    bar = tables.Column(
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
    avg_diff = tables.Column(verbose_name="Average difference (grades)", attrs=NUM)
    pass4_pct = PercentColumn(verbose_name="Grade 4+")
    pass5_pct = PercentColumn(verbose_name="Grade 5+")
    up = tables.Column(verbose_name="Up", attrs=NUM)
    down = tables.Column(verbose_name="Down", attrs=NUM)

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


class VariationTable(FiguresTable):
    """Subjects or teaching groups side by side, each against its own pupils' targets, outliers marked."""

    outlier = tables.Column(verbose_name="Compared with the rest", empty_values=(), order_by=("gap_to_rest",))

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
