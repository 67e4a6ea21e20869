import html

from django import template
from django.utils.safestring import mark_safe

from tracking import standing
from tracking.lib import percentages
from tracking.lib.links import url_for_pk, url_for_pks

register = template.Library()

ICONS = {"above": "▲", "on": "●", "below": "▼", "well_below": "▼▼", "none": "–"}


def badge_label(result, school):
    if result.grade is not None and result.diff is None:
        return result.unjudged_label
    return standing.label(result.status, school)


def _escape(value):
    """conditional_escape as a plain str: tables and grids call standing_html for every row."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _standing_attrs(result):
    return (
        f'data-standing="{_escape(standing.attr(result.status))}"'
        f' data-pupil="{_escape(result.pupil_id or "")}" data-subject="{_escape(result.subject_id or "")}"'
        f' data-point="{_escape(result.point_id or "")}"'
    )


@register.simple_tag
def standing_attrs(result):
    """{% standing_attrs standing %}: the data-standing, data-pupil, data-subject and data-point attributes
    for an element that shows a standing in its own words (the family page), as standing_html writes them."""
    return mark_safe(_standing_attrs(result))


def standing_html(result, school, label=None):
    """A tracking.standing.Standing as a traffic light: never colour alone (a shape, the school's words
    and the signed difference from the grade expected now), carrying data-standing, data-pupil,
    data-subject and data-point for tests and assistive tools. Pages and tables both render it here."""
    diff = ""
    if result.diff:
        magnitude = abs(result.diff)
        diff = (
            f' <span class="status-diff">({"+" if result.diff > 0 else "−"}{_escape(magnitude)}'
            f'<span class="visually-hidden"> {"grade" if magnitude == 1 else "grades"}</span>)</span>'
        )
    status = _escape(result.status)
    # Written as one f-string rather than by format_html (the same escaping): a grid has a badge a row.
    return mark_safe(
        f'<span class="status status-{status}" {_standing_attrs(result)}>'
        '<span class="status-icon" aria-hidden="true">'
        f'{_escape(ICONS[result.status])}</span><span class="status-label">'
        f"{_escape(label or badge_label(result, school))}</span>{diff}</span>"
    )


@register.filter
def history_cells(row, school):
    """The cells of a subject's history table on the pupil page (a row of `pupil_history`), one string
    per table row, as the template's loops wrote them: some ten subjects by ten points by six rows."""
    head, current, predicted, security, effort, expected, against = [], [], [], [], [], [], []
    for point, entry, result in row["history"]:
        head.append(f'<th scope="col" class="num">{_escape(point.name)}</th>')
        current.append(f'<td class="num">{_escape(entry.current or "—")}</td>')
        predicted.append(f'<td class="num">{_escape(entry.predicted or "—")}</td>')
        if entry.security:
            title = _escape(entry.get_security_display())
            security.append(f'<td class="num"><abbr title="{title}">{_escape(entry.security)}</abbr></td>')
        else:
            security.append('<td class="num">—</td>')
        effort.append(f'<td class="num">{_escape(entry.effort or "—")}</td>')
        expected.append(f'<td class="num">{_escape(result.expected or "—")}</td>')
        against.append(f"<td>{standing_html(result, school)}</td>")
    parts = {
        "head": head, "current": current, "predicted": predicted, "security": security, "effort": effort,
        "expected": expected, "against": against,
    }  # fmt: skip
    return {key: mark_safe("".join(cells)) for key, cells in parts.items()}


@register.filter
def url_for(pk, viewname):
    """{{ pupil.pk|url_for:"pupil_detail" }}: `{% url %}` for a view taking one id, reversed once per
    page rather than once per row (tracking.lib.links.url_for_pk)."""
    return url_for_pk(viewname, pk)


@register.simple_tag
def url_for_two(viewname, first, second):
    """{% url_for_two "marksheet" group.pk point.pk %}: `{% url %}` for a view taking two ids, reversed
    once per page rather than once per row (tracking.lib.links.url_for_pks)."""
    return url_for_pks(viewname, first, second)


@register.simple_tag
def standing_badge(result, school):
    """{% standing_badge standing school %}: see standing_html."""
    return standing_html(result, school)


@register.filter
def percent(value):
    """A percentage such as attendance, shown one way everywhere: see tracking.lib.percentages."""
    return percentages.percent(value)


@register.simple_tag(takes_context=True)
def pupil_sections(context, pupil):
    """The sections other apps add to the pupil page (see tracking.school.pupil_sections)."""
    from django.template.loader import render_to_string

    from tracking.school.pupil_sections import sections_for

    request = context.get("request")
    parts = [
        render_to_string(
            template, {"section": extra, "pupil": pupil, "school": pupil.school}, request=request
        )
        for template, extra in sections_for(request.user, pupil)
    ]
    return mark_safe("".join(parts))


@register.inclusion_tag("_pupil_actions.html", takes_context=True)
def pupil_actions(context, pupil):
    """Buttons other apps add beside the pupil page's title (see tracking.school.pupil_sections)."""
    from tracking.school.pupil_sections import actions_for

    return {"actions": actions_for(context["request"].user, pupil)}


@register.simple_tag(takes_context=True)
def marksheet_row(context):
    """{% marksheet_row %}: the marksheet row of `row` in the context (see tracking.marksheets.row_html)."""
    from tracking.marksheets.row_html import row_html

    return mark_safe(
        row_html(
            context,
            context["row"],
            group=context["group"],
            point=context["point"],
            sheet=context["sheet"],
            school=context["school"],
            row_saved=context.get("row_saved", False),
        )
    )


@register.simple_tag(takes_context=True)
def marksheet_light(context):
    """{% marksheet_light %}: the traffic light of the marksheet `row` in the context."""
    from tracking.marksheets.row_html import light_html

    return mark_safe(light_html(context, context["row"], context["school"]))
