"""The dashboards' stacked standing bar, made in Python: one call per bar, on pages with hundreds of rows.

Server-made SVG shared by the pages, the Data Board and the PDFs; the figures are in words beside it
(and in its label), so it reads without colour.
"""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def bar_svg(figures):
    """The bar; a segment marked `own_colour` keeps its fill (the stylesheet's status-* rules colour the
    others in the signed-in school's colours)."""
    segments = getattr(figures, "segments", None) or []
    label = ", ".join(f"{s['label']} {s['pct']}%" for s in segments) or "No standings yet"
    rects = format_html_join(
        "",
        '<rect class="{}"{} x="{}" y="0" width="{}" height="5"><title>{}: {}% ({})</title></rect>',
        (
            (
                f"own-{s['status']}" if s.get("own_colour") else f"status-{s['status']}",
                format_html(' fill="{}"', s["colour"]) if s.get("colour") else "",
                s["offset"],
                s["pct"],
                s["label"],
                s["pct"],
                s["count"],
            )
            for s in segments
        ),
    )
    svg = (
        '<svg class="standing-bar" viewBox="0 0 100 5" preserveAspectRatio="none" role="img" '
        'aria-label="{}">{}</svg>'
    )
    return format_html(svg, label, rects)


@register.simple_tag
def standing_bar(figures):
    return bar_svg(figures)
