"""A marksheet row as HTML, written in Python: the sheet's thirty rows by five inputs, their history
and their light, through the template engine, were most of the sheet's time. The full sheet and the
htmx row and light responses all render here (through the `marksheet_row` and `marksheet_light`
tags), so there is one copy of the markup."""

import html
from functools import lru_cache

from django.template.base import render_value_in_context
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeData

from tracking.lib.links import url_for_pk
from tracking.templatetags.uplift import standing_html

_MARK = 9081726354


@lru_cache(maxsize=256)
def _around_pupil(viewname, group_pk, point_pk, prefix):
    head, mark, tail = reverse(viewname, args=[group_pk, point_pk, _MARK]).partition(str(_MARK))
    return head, tail


def _sheet_url(viewname, group_pk, point_pk, pupil_pk):
    """reverse(viewname, args=[group, point, pupil]), reversed once per sheet rather than per row."""
    head, tail = _around_pupil(viewname, group_pk, point_pk, get_script_prefix())
    return f"{head}{int(pupil_pk)}{tail}"


def _v(value, context):
    """{{ value }} as the template engine writes it (escaped unless safe, None as "None")."""
    kind = type(value)
    if kind is str and context.autoescape:
        return html.escape(value)
    if kind is int:
        return str(value)
    if isinstance(value, SafeData):
        return str(value)
    return str(render_value_in_context(value, context))


def _or(value, default, context):
    """{{ value|default:"…" }}."""
    return _v(value, context) if value else default


def light_html(context, row, school):
    """The row's traffic light (tracking/_marksheet_light.html)."""
    judged = row.standing.judged
    on = f"on {_v(judged, context)}" if judged else ""
    return f'{standing_html(row.standing, school)}<small class="judged-on" data-judged>{on}</small>\n'


def _cell_html(context, pk, cell, editable):
    field = _v(cell.field, context)
    classes = ""
    described = ""
    message = ""
    if cell.error:
        classes = " cell-invalid"
        described = f' aria-invalid="true" aria-describedby="m-{pk}-{field}"'
        message = (
            f'<span class="cell-message" id="m-{pk}-{field}"><span class="visually-hidden">'
            f'{_v(cell.error, context)} </span><span aria-hidden="true">{_v(cell.hint, context)}'
            "</span></span>"
        )
    elif cell.conflict:
        classes = " cell-changed"
        described = f' aria-describedby="m-{pk}-{field}"'
        mine = "" if cell.resolution == "theirs" else " checked"
        theirs = " checked" if cell.resolution == "theirs" else ""
        yours, other = _or(cell.value, "(blank)", context), _or(cell.theirs, "(blank)", context)
        message = (
            f'<fieldset class="cell-conflict"><legend class="cell-message" id="m-{pk}-{field}">Someone else'
            f' changed this</legend><label><input type="radio" name="r-{pk}-use-{field}" value="mine"{mine}>'
            f' Keep mine: <b>{yours}</b></label><label><input type="radio"'
            f' name="r-{pk}-use-{field}" value="theirs"{theirs}> Take theirs: <b>{other}</b></label>'
            "</fieldset>"
        )
    elif cell.saved:
        classes = " cell-saved"
    spellcheck, maxlength = ("true", "600") if cell.field == "comment" else ("false", "12")
    disabled = "" if editable else " disabled"
    return (
        f'<td data-field="{field}" class="sheet-cell sheet-{field}{classes}"><input type="text"'
        f' name="r-{pk}-{field}" id="c-{pk}-{field}" value="{_v(cell.value, context)}"'
        f' aria-labelledby="col-{field} name-{pk}" autocomplete="off"'
        f' spellcheck="{spellcheck}" data-cell data-field="{field}" maxlength="{maxlength}"{described}'
        f"{disabled}>{message}</td>"
    )


def _history_html(context, past):
    if not past:
        return '<td class="readonly sheet-history">–</td>'
    predicted = ""
    if past.predicted:
        predicted = f'<span class="sheet-predicted"> / {_v(past.predicted, context)}</span>'
    return f'<td class="readonly sheet-history">{_or(past.current, "–", context)}{predicted}</td>'


def _status(row, row_saved):
    """(class, text) of the row's status cell."""
    if row_saved:
        return " is-saved", "Saved"
    if row.errors:
        return " is-error", f"Check {row.errors} cell{'' if row.errors == 1 else 's'}"
    if row.has_conflict:
        return " is-error", "Choose values"
    if row.pending:
        return " is-unsaved", "Not saved yet"
    if row.saved:
        return " is-saved", "Saved"
    return "", ""


def row_html(context, row, *, group, point, sheet, school, row_saved=False):
    """One pupil's row of the sheet (tracking/_marksheet_row.html)."""
    pk = int(row.pupil.pk)
    editable = bool(sheet.editable)
    light = _sheet_url("marksheet_light", group.pk, point.pk, pk)
    post = ""
    if editable:
        post = (
            f' hx-post="{_sheet_url("marksheet_row", group.pk, point.pk, pk)}"'
            ' hx-trigger="marksheet:row-leave"'
            ' hx-target="this" hx-swap="outerHTML" hx-sync="#marksheet:queue all"'
        )
    invalid = ' class="row-invalid"' if row.errors else ""
    flags = f" {_v(row.flags, context)}" if row.flags else ""
    was = "".join(
        f'<input type="hidden" name="r-{pk}-was-{_v(cell.field, context)}" value="{_v(cell.was, context)}">'
        for cell in row.cells
    )
    pending = ""
    if row.standing.pending:
        pending = f' <small class="target-pending">pending {_v(row.standing.pending, context)}</small>'
    status_class, status_text = _status(row, row_saved)
    return (
        f'<tr id="row-{pk}" data-pupil="{pk}" data-light="{light}"{post}{invalid}>\n'
        f'  <th scope="row" class="sheet-name" id="name-{pk}"><a href="{url_for_pk("pupil_detail", pk)}"'
        f' tabindex="-1">{_v(row.pupil.sorted_name, context)}</a>{flags}<input type="hidden"'
        f' name="r-{pk}-version" value="{_v(row.version, context)}">{was}</th>\n'
        f'  <td class="readonly">{_or(row.pupil.get_prior_band_display(), "–", context)}</td>\n'
        f'  <td class="readonly sheet-target">{_or(row.target, "–", context)}{pending}</td>\n'
        f'  <td class="readonly sheet-expected">{_or(row.standing.expected, "–", context)}</td>\n'
        f"  {''.join(_history_html(context, past) for past in row.history)}\n"
        f"  {''.join(_cell_html(context, pk, cell, editable) for cell in row.cells)}\n"
        '  <td class="row-progress" data-progress aria-live="polite">'
        f"{light_html(context, row, school)}</td>\n"
        f'  <td class="row-status{status_class}" data-row-status aria-live="polite">{status_text}</td>\n'
        "</tr>\n"
    )
