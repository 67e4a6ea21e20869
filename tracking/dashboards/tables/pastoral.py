"""The pastoral tables: the year leaders' lists, the transition report's and the tutor's view of a form."""

import html
from functools import lru_cache, partial

from django.utils.html import format_html

from tracking.dashboards.group_pupils import standing_order
from tracking.dashboards.tables.columns import NUM, Column
from tracking.lib import percentages
from tracking.lib.links import url_for_pk
from tracking.lib.tables import PagedTable
from tracking.templatetags.uplift import percent, standing_html

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


class YearListTable(PagedTable):
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


class TransitionSubjectTable(PagedTable):
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


class RecommendedTable(PagedTable):
    """The transition report's pupils recommended for next year's mentoring (rows: year_lists.PupilCounts
    with their `reasons`). Fifty a page, on screen and on paper: a year of a thousand puts hundreds here
    (every one in the downloads; the cells are written by `cell_html`)."""

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
        per_page = 50

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


class TutorGridTable(PagedTable):
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


class FormSubjectsTable(PagedTable):
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
