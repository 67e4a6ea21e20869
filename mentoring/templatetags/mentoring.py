from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from mentoring.rag.words import ICONS
from tracking import standing as standings

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
    text = standings.label(result.status, school)
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
