"""The completion page's tables as it writes them: a view's rows for a spreadsheet, and the chase list's
chips and the "By group" rows as HTML (the template engine costs more than the counts at this size)."""

from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from tracking.oversight.completion_tallies import sheet_url

TALLY_HEADINGS = {"point": "Assessment point", "department": "Department", "teacher": "Teacher"}


def export_table(view, result, rows):
    """(headers, rows) of the completion view on screen ('chase', 'group', or a tally by point,
    department or teacher), as plain values for a spreadsheet."""
    if view == "chase":
        headers = ["Teacher", "Unfinished sheets", "Done (%)", "Deadline"]
        out = [
            [
                t.label,
                "; ".join(f"{s.group.name} ({s.point.name}, {s.percent}%)" for s in t.sheets_to_chase),
                t.percent,
                t.deadline,
            ]
            for t in rows
        ]
        return headers, out
    if view == "group":
        headers = [
            "Group",
            "Subject",
            "Teachers",
            "Point",
            "Pupils",
            "Cells done",
            "Cells",
            "Status",
            "Closes",
        ]
        out = [
            [
                s.group.name,
                s.group.subject.name,
                ", ".join(str(t) for t in s.teachers),
                s.point.name,
                s.pupils,
                s.cells_done,
                s.cells_total,
                s.status_label,
                s.point.closes_on,
            ]
            for s in result.sheets
        ]
        return headers, out
    headers = [TALLY_HEADINGS[view], "Sheets", "Complete", "In progress", "Not started", "Cells done (%)"]
    out = [[t.label, t.total, t.complete, t.in_progress, t.not_started, t.percent] for t in rows]
    return headers, out


NO_TEACHER = mark_safe('<span class="muted">None</span>')


def chase_chips_html(sheets):
    """A chase-list row's unfinished sheets, one <li> each, as the template would write them (a school
    of 6,000 has nearly a thousand unfinished sheets at one point): written plainly, every text escaped,
    each point's name once."""
    points = {}
    chips = []
    for sheet in sheets:
        point = sheet.point
        name = points.get(point.pk)
        if name is None:
            name = points[point.pk] = escape(point.name)
        chips.append(
            f'<li><a href="{escape(sheet.url)}">{escape(sheet.group.name)}</a> '
            f'<span class="muted small">{name} · {int(sheet.percent)}%</span></li>'
        )
    return mark_safe("".join(chips))  # noqa: S308 - every text is escaped; the rest are integers


def sheet_rows_html(sheets, with_history):
    """The "By group" table's rows, one <tr> per sheet, as the template would write them.

    Written here rather than in the template: the template engine's lookups, filters and {% url %}
    cost some 0.3 ms a row, and a school of 6,000 has some 2,000 sheets at one point.
    """
    closes = {}
    rows = []
    for sheet in sheets:
        group, point = sheet.group, sheet.point
        if point.pk not in closes:
            closes[point.pk] = date_format(point.closes_on, "j M")
        teachers = sheet.teachers
        history = ""
        if with_history:
            history = format_html(
                '<td><a class="small" href="{}">History'
                '<span class="visually-hidden"> of {} {}</span></a></td>',
                sheet_url("sheet_history", group.pk, point.pk),
                group.name,
                point.name,
            )
        rows.append(
            format_html(
                '<tr><th scope="row"><a href="{}">{}</a></th><td>{}</td><td>{}</td><td>{}</td>'
                '<td class="num">{}</td><td class="num">{} / {}</td>'
                '<td><span class="sheet-status sheet-status-{}">{}</span></td>'
                '<td class="nowrap">{}</td>{}</tr>',
                sheet.url,
                group.name,
                group.subject.name,
                ", ".join(str(t) for t in teachers) if teachers else NO_TEACHER,
                point.name,
                sheet.pupils,
                sheet.cells_done,
                sheet.cells_total,
                sheet.status,
                sheet.status_label,
                closes[point.pk],
                history,
            )
        )
    return mark_safe("\n".join(rows))
