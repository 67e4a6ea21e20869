"""The master grid as a table: its django-tables2 table (a column per point, the verdict beside the
target), the rows sorted as the table sorts them, and the rows written for a spreadsheet."""

import html

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tables2.data import TableListData

from tracking.lib.links import url_for_pk
from tracking.lib.tables import PagedTable
from tracking.oversight.master_grid import PagedRows
from tracking.school.tables import pupil_flags_html
from tracking.templatetags.uplift import standing_html


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


class MasterTable(PagedTable):
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
