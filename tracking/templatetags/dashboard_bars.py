"""The dashboards' stacked standing bar, made in Python: one call per bar, on pages with hundreds of rows.

Server-made SVG shared by the pages, the Data Board and the PDFs; the figures are in words beside it
(and in its label), so it reads without colour.
"""

from html import escape as _escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def escape(value):
    """django.utils.html.escape's text, without its lazy-string wrapper (hundreds of calls a page)."""
    return _escape(str(value))


def bar_svg(figures):
    """The bar; a segment marked `own_colour` keeps its fill (the stylesheet's status-* rules colour the
    others in the signed-in school's colours).

    Written with plain formatting and `escape` on the words and colours (the rest are numbers and
    fixed class names): format_html on every argument was most of a page of a hundred bars."""
    segments = getattr(figures, "segments", None) or []
    label = ", ".join(f"{s['label']} {s['pct']}%" for s in segments) or "No standings yet"
    rects = []
    for s in segments:
        status, pct = escape(s["status"]), int(s["pct"])
        css = f"own-{status}" if s.get("own_colour") else f"status-{status}"
        fill = f' fill="{escape(s["colour"])}"' if s.get("colour") else ""
        rects.append(
            f'<rect class="{css}"{fill} x="{int(s["offset"])}" y="0" width="{pct}" height="5">'
            f"<title>{escape(s['label'])}: {pct}% ({int(s['count'])})</title></rect>"
        )
    return mark_safe(  # noqa: S308 - every value above is escaped or a number
        '<svg class="standing-bar" viewBox="0 0 100 5" preserveAspectRatio="none" role="img" '
        f'aria-label="{escape(label)}">{"".join(rects)}</svg>'
    )


@register.simple_tag
def standing_bar(figures):
    return bar_svg(figures)
