import html

from django import template
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from mentoring.rag.words import ICONS
from tracking import standing
from tracking.lib.links import url_for_pk
from tracking.templatetags.uplift import standing_html

register = template.Library()


@register.simple_tag
def rag_badge(rating, words):
    """{% rag_badge entry.rating rag_words %}: the school's word with a shape as well as its colour."""
    if not rating:
        return format_html('<span class="rag rag-none" data-rating="">{}</span>', "Not rated")
    return format_html(
        '<span class="rag rag-{}" data-rating="{}">'
        '<span class="rag-icon" aria-hidden="true">{}</span>{}</span>',
        rating,
        rating,
        ICONS.get(rating, ""),
        words.get(rating, rating),
    )


@register.simple_tag
def standing_words(result, school):
    """A tracking.standing.Standing in the school's words, with the signed difference, for print."""
    if result is None:
        return "No grade yet"
    text = standing.label(result.status, school)
    if result.diff:
        text += f" ({'+' if result.diff > 0 else '−'}{abs(result.diff)})"
    return text


@register.filter
def css_string(value):
    """Text safe inside a double-quoted CSS string (page headers of printed sheets)."""
    text = str(value)
    for char, escaped in (
        ("\\", "\\\\"),
        ('"', '\\"'),
        ("\n", " "),
        ("\r", " "),
        ("<", "\\3c "),
        (">", "\\3e "),
    ):
        text = text.replace(char, escaped)
    # Inside <style> nothing is HTML-escaped: the CSS escapes above are the whole of the safety.
    return mark_safe(text)  # noqa: S308


@register.simple_tag
def rag_text(rating, words):
    """The school's word for a rating with its shape, as plain text (printed sheets)."""
    return f"{ICONS.get(rating, '')} {words.get(rating, rating)}".strip()


def _text(value, default="—"):
    """{{ value|default:"—" }} for the plain strings of a mentee's lines."""
    return html.escape(str(value)) if value else default


@register.simple_tag
def mentee_lines(card, words, school):
    """{% mentee_lines card rag_words school %}: the rows of a mentee's subjects table, as the
    template's loop wrote them: a page of mentees has some two hundred and fifty of them."""
    out = []
    for line in card.subjects:
        entry, published, pending, rating = line.entry, line.published, line.pending, line.rating
        target = _text(published.code if published else "")
        if pending:
            target += f' <span class="muted small">({html.escape(str(pending.code))} pending)</span>'
        current = entry.current.code if entry and entry.current else ""
        predicted = entry.predicted.code if entry and entry.predicted else ""
        security = entry.get_security_display() if entry and entry.security else ""
        expected = line.standing.expected.code if line.standing and line.standing.expected else ""
        if line.standing:
            badge = standing_html(line.standing, school)
        else:
            badge = '<span class="muted">No grade yet</span>'
        if rating:
            rag = rag_badge(rating.rating, words)
            if rating.comment:
                rag += f'<br><span class="small">{html.escape(str(rating.comment))}</span>'
        else:
            rag = '<span class="muted">—</span>'
        out.append(
            "\n      <tr>\n"
            f'        <th scope="row">{html.escape(str(line.subject.name))}</th>\n'
            f"        <td>{target}</td>\n"
            f"        <td>{_text(current)}</td>\n"
            f"        <td>{_text(predicted)}</td>\n"
            f"        <td>{_text(security)}</td>\n"
            f"        <td>{_text(expected)}</td>\n"
            f"        <td>{badge}\n</td>\n"
            f'        <td class="small">{_text(entry.point.name if entry else "")}</td>\n'
            f"        <td>{rag}</td>\n"
            "      </tr>\n    "
        )
    return mark_safe("".join(out))


@register.filter
def not_met_links(mentees):
    """The compliance table's "who (last met)" cell, as the template's loop wrote it: each mentee not
    met this month (mentoring.queries.NotMet), linked, with the day last met (a school's mentees are
    some three hundred links)."""
    if not mentees:
        return mark_safe('<span class="muted">All met</span>')
    # "30 Nov" ("j M"), each month's name looked up once: formatting 1,200 dates one by one (their month
    # names through the active translation each time) was a fifth of the page.
    months, links = {}, []
    for a in mentees:
        met = "never"
        if a.last_met:
            month = months.get(a.last_met.month) or months.setdefault(
                a.last_met.month, dateformat.format(a.last_met, "M")
            )
            met = f"{a.last_met.day} {month}"
        links.append(
            f'<a href="{url_for_pk("mentoring:mentee", a.pupil_id)}">{html.escape(a.name)}</a>'
            f' <span class="muted small">({html.escape(met)})</span>'
        )
    return mark_safe("; ".join(links))
