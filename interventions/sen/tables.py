"""The SENCo's view's tables: SEN status and primary need against pupils with no SEN, each subject by
need, and the SEN pupils with their plans and sessions. Sortable on the page (django-tables2) and
downloaded as CSV or XLSX (tracking.dashboards.tables.download), a sheet each.
"""

from django.utils.html import escape, format_html
from django_tables2 import Column
from django_tables2.data import TableData

from tracking.dashboards.tables.columns import NUM
from tracking.lib.links import url_for_pk
from tracking.lib.tables import PagedTable


def _pct(value):
    return "–" if value is None else f"{value}%"


def _round(value):
    return None if value is None else round(value, 2)


class NeedTable(PagedTable):
    """Figures by SEN status or by primary need (rows: figures.Figures with `label` and `gap`, as
    queries.need_rows and queries.primary_need_rows give them), each with its gap to pupils with no SEN."""

    label = Column(verbose_name="SEN status")
    graded = Column(verbose_name="Grades", attrs=NUM)
    on_or_above_pct = Column(attrs=NUM, default="–")
    well_below_pct = Column(attrs=NUM, default="–")
    avg_diff = Column(verbose_name="Average difference (grades)", attrs=NUM, default="–")
    pass4_pct = Column(verbose_name="Grade 4+", attrs=NUM, default="–")
    gap = Column(
        verbose_name="Gap to no SEN",
        empty_values=(),
        order_by=("gap__on_or_above", "gap__avg_diff"),
        exclude_from_export=True,
    )
    gap_points = Column(
        verbose_name="Gap to no SEN: points on target", accessor="gap__on_or_above", visible=False
    )
    gap_grades = Column(verbose_name="Gap to no SEN: grades", accessor="gap__avg_diff", visible=False)

    class Meta:
        attrs = {"class": "table table-compact"}
        orderable = True

    def __init__(self, data, *, heading, title, anchor, on_label, well_below_label, empty_text, **kwargs):
        super().__init__(data, empty_text=empty_text, **kwargs)
        self.title, self.anchor = title, anchor
        self.columns["label"].column.verbose_name = heading
        self.columns["on_or_above_pct"].column.verbose_name = on_label
        self.columns["well_below_pct"].column.verbose_name = well_below_label

    def render_label(self, record, value):
        code = getattr(record, "code", None)
        if code and code != "-":
            return format_html('<abbr title="{}">{}</abbr> · {}', value, code, value)
        return value

    def render_on_or_above_pct(self, value):
        return _pct(value)

    def render_well_below_pct(self, value):
        return _pct(value)

    def render_pass4_pct(self, value):
        return _pct(value)

    def render_avg_diff(self, value):
        return f"{value:.2f}"

    def render_gap(self, record):
        gap = record.gap
        if not gap:
            return "–"
        parts = []
        if gap.get("on_or_above") is not None:
            parts.append(f"{gap['on_or_above']:+d} points on target")
        if gap.get("avg_diff") is not None:
            parts.append(f"{gap['avg_diff']:.2f} grades")
        return "; ".join(parts) or "–"

    def value_label(self, value):
        return value

    def value_avg_diff(self, value):
        return _round(value)

    def value_gap_grades(self, value):
        return _round(value)


class SubjectNeedTable(PagedTable):
    """Each subject's % on target or above by SEN status, and the SEN gap (rows: queries.SubjectRow)."""

    subject = Column(verbose_name="Subject", accessor="subject__name")
    gap = Column(verbose_name="SEN gap (points)", attrs=NUM, default="–")

    class Meta:
        attrs = {"class": "table table-compact"}
        empty_text = "No grades here yet."
        orderable = True
        sequence = ("subject", "...", "gap")

    def __init__(self, data, *, needs, on_label, **kwargs):
        for row in data:
            row.by_need = {index: cell for index, (_label, cell) in enumerate(row.cells)}
        columns = [
            (
                f"need{index}",
                Column(
                    verbose_name=f"{label}: {on_label} %",
                    accessor=f"by_need__{index}__on_or_above_pct",
                    attrs=NUM,
                    default="–",
                ),
            )
            for index, label in enumerate(needs)
        ]
        super().__init__(data, extra_columns=columns, **kwargs)
        self.title, self.anchor = "By subject", "subject-heading"
        self.needs = needs

    def cell_html(self):
        cells = {"gap": lambda record: "–" if record.gap is None else f"{record.gap:+d} points"}
        for index in range(len(self.needs)):
            cells[f"need{index}"] = lambda record, index=index: _need_cell_html(record.by_need[index])
        return cells


def _need_cell_html(cell):
    if cell is None or cell.on_or_above_pct is None:
        return "–"
    return f'{cell.on_or_above_pct}% <span class="muted">({int(cell.with_standing)})</span>'


def _plans_html(plans):
    if not plans:
        return '<span class="muted">None</span>'
    return "<br>".join(
        f'<a href="{url_for_pk("interventions:plan_detail", plan.pk)}">Level {escape(plan.level)} · '
        f"{escape(plan.get_tier_display())}{f' ({escape(plan.department)})' if plan.department else ''}</a>"
        for plan in plans
    )


def _sessions_html(row):
    if row.marked:
        booked = ""
        if row.places > row.marked:
            booked = f' <span class="muted">· {row.places} places booked</span>'
        return f"{row.attended} of {row.marked} ({row.attendance_pct}%){booked}"
    if row.places:
        return f"{row.places} place{'' if row.places == 1 else 's'}, none marked yet"
    return '<span class="muted">None</span>'


def _name_html(row):
    pupil = row.pupil
    return f'<a href="{url_for_pk("pupil_detail", pupil.pk)}">{escape(pupil.sorted_name)}</a>'


def _year_html(row):
    pupil = row.pupil
    form = f" · {escape(pupil.form)}" if pupil.form else ""
    return f"Year {escape(pupil.year_group.number)}{form}"


def _need_html(row):
    pupil = row.pupil
    need = (
        f' · <abbr title="{escape(pupil.get_sen_need_display())}">{escape(pupil.sen_need)}</abbr>'
        if pupil.sen_need
        else ""
    )
    return f"{escape(pupil.get_sen_status_display())}{need}"


class SenPupilsData(TableData):
    """The SEN pupils (queries.SenPupils: their ids in order) as django-tables2 data: sorted by the keys
    `order_keys(column)` gives ({pupil id: key}, read with the ids, not row by row), a page read as rows
    when taken, and every row read in one query for a download or the PDF."""

    def __init__(self, pupils, order_keys):
        super().__init__(pupils)
        self.order_keys = order_keys
        self._every = None

    def __len__(self):
        return len(self.data)

    def __iter__(self):
        if self._every is None:
            self._every = self.data[:]
        return iter(self._every)

    def order_by(self, aliases):
        pks = self.data.pks
        for alias in reversed(list(aliases)):  # the most significant last: each sort is stable
            keys = self.order_keys(alias.lstrip("-"))
            present = sorted(
                (pk for pk in pks if keys.get(pk) is not None), key=keys.__getitem__, reverse=alias[0] == "-"
            )
            # Pupils without the key (no grade with a standing) come last whichever way.
            pks[:] = present + [pk for pk in pks if keys.get(pk) is None]


class SenPupilsTable(PagedTable):
    """The SEN pupils in scope with their standing counts, active plans and sessions (rows:
    queries.SenPupil). Fifty a page on screen and on paper; the download holds every one. Cells are
    written by `cell_html`: a whole school lists hundreds."""

    name = Column(verbose_name="Pupil", accessor="pupil__sorted_name")
    upn = Column(verbose_name="UPN", accessor="pupil__upn", visible=False)
    year = Column(verbose_name="Year / form", accessor="pupil__year_group__number")
    form = Column(verbose_name="Form", accessor="pupil__form", visible=False)
    need = Column(verbose_name="Need", accessor="pupil__sen_status")
    primary_need = Column(verbose_name="Primary need", accessor="pupil__sen_need", visible=False)
    on_target = Column(attrs=NUM, accessor="on_count", empty_values=())
    with_standing = Column(
        verbose_name="With a standing", accessor="figures__with_standing", visible=False, default=""
    )
    below = Column(verbose_name="Below", attrs=NUM, accessor="below_count", empty_values=())
    plans = Column(verbose_name="Active plans", orderable=False, empty_values=())
    sessions = Column(
        verbose_name="Sessions attended", orderable=False, empty_values=(), exclude_from_export=True
    )
    attended = Column(verbose_name="Sessions attended", visible=False)
    marked = Column(verbose_name="Sessions marked", visible=False)
    places = Column(verbose_name="Places booked", visible=False)

    class Meta:
        attrs = {"class": "table table-compact"}
        empty_text = "No SEN pupils with grades here."
        orderable = True
        per_page = 50
        row_attrs = {"data-pupil": lambda record: record.pupil.pk}

    def __init__(self, data, *, on_label, **kwargs):
        super().__init__(data, **kwargs)
        self.title, self.anchor = "SEN pupils", "pupils-heading"
        self.columns["on_target"].column.verbose_name = on_label

    def cell_html(self):
        return {
            "name": _name_html,
            "year": _year_html,
            "need": _need_html,
            "on_target": lambda row: (
                "–" if row.figures is None else f"{row.on_count} of {int(row.figures.with_standing)}"
            ),
            "below": lambda row: "–" if row.figures is None else str(row.below_count),
            "plans": lambda row: _plans_html(row.plans),
            "sessions": _sessions_html,
        }

    def value_form(self, value):
        return str(value or "")

    def value_need(self, record):
        return record.pupil.get_sen_status_display()

    def value_primary_need(self, record):
        return record.pupil.get_sen_need_display() if record.pupil.sen_need else ""

    def value_on_target(self, record):
        return "" if record.figures is None else record.on_count

    def value_below(self, record):
        return "" if record.figures is None else record.below_count

    def value_plans(self, record):
        return "; ".join(
            f"Level {p.level} {p.get_tier_display()}" + (f" ({p.department})" if p.department else "")
            for p in record.plans
        )
