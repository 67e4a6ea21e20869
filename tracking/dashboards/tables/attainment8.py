"""The Attainment 8 tables: each pupil's A8/P8 by element and the cohort's by split."""

import html
import inspect
from functools import partial

import django_tables2 as tables
from django.utils.html import format_html

from tracking.dashboards.tables.columns import NUM, number_html, rendered_html
from tracking.lib.links import url_for_pk
from tracking.lib.tables import PagedTable


class Attainment8Table(PagedTable):
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
                cells[name] = partial(rendered_html, name, render, takes_record, default)
            else:
                cells[name] = partial(number_html, name, None, default)
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


class CohortA8Table(PagedTable):
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


# An empty slot scores 0: shown as "Empty", downloaded blank.
EMPTY_SLOT = format_html('<span class="muted">{}</span>', "Empty")


class SlotsTable(PagedTable):
    """One pupil's ten slots as their Attainment 8 filled them (rows: attainment8_pupils.Slot), in the
    template's order until sorted, the total in the footer."""

    name = tables.Column(verbose_name="Slot", order_by=("position",), footer="Attainment 8")
    subject = tables.Column(verbose_name="Subject", default=EMPTY_SLOT, order_by=("subject", "position"))
    grade = tables.Column(verbose_name="Grade", default="", order_by=("grade", "position"))
    points = tables.Column(
        verbose_name="Points",
        attrs={**NUM, "tf": {"class": "num"}},
        order_by=("points", "position"),
        footer=lambda table: table.total_html,
    )

    class Meta:
        attrs = {"class": "table table-compact"}
        empty_text = "No Attainment 8 here."
        orderable = True

    title = "Slots"

    def __init__(self, data, *, attainment8=None, **kwargs):
        super().__init__(data, prefix="slot-", **kwargs)
        self.anchor = "slots-heading"
        self.total_html = format_html("<strong>{}</strong>", attainment8) if data else ""


class ElementsTable(PagedTable):
    """One pupil's Attainment 8 by element against the element's estimate, with its Progress 8 (rows:
    attainment8_pupils.ElementScore)."""

    label = tables.Column(verbose_name="Element")
    slots = tables.Column(verbose_name="Slots", attrs=NUM)
    score = tables.Column(verbose_name="Score", attrs=NUM)
    estimate = tables.Column(verbose_name="Estimate", attrs=NUM, default="–")
    progress8 = tables.Column(verbose_name="Progress 8", attrs=NUM, default="–")

    class Meta:
        attrs = {"class": "table table-compact"}
        empty_text = "No Attainment 8 here."
        orderable = True

    title = "Elements"

    def __init__(self, data, **kwargs):
        super().__init__(data, prefix="element-", **kwargs)
        self.anchor = "elements-heading"
