"""The dashboards' trend chart: % on target or above at each half term, this year and last year, as SVG
made on the server (the page and the PDF share it).

Readable without colour: this year is a solid line with round markers, last year a dashed line with
square ones, each point labelled with its figure, and the legend names each year in words.
"""

from html import escape as _escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 46, 12, 40, 172  # the plot area: x from LEFT to WIDTH - RIGHT, y TOP to BOTTOM
# Presentation attributes, for the PDF: the page's stylesheet restyles them in the site's colours.
TEXT, MUTED, GRID = "#1f2328", "#57606a", "#d0d7de"
DASH = ' stroke-dasharray="6 4"'
LINE = 'fill="none" stroke-width="2.5"'


def escape(value):
    return _escape(str(value))


def _y(pct):
    return round(BOTTOM - (BOTTOM - TOP) * pct / 100, 1)


def _text(x, y, words, css, colour=TEXT, anchor="middle"):
    return (
        f'<text class="{css}" x="{x}" y="{y}" text-anchor="{anchor}" font-size="11" fill="{colour}">'
        f"{escape(words)}</text>"
    )


def _marker(x, y, last):
    """Last year's: a hollow square, drawn over this year's filled circle and larger than it, so both
    show where the two years' figures are the same."""
    if last:
        return (
            f'<rect class="trend-marker last" x="{x - 6}" y="{y - 6}" width="12" height="12" fill="none" '
            f'stroke="{MUTED}" stroke-width="2"/>'
        )
    return f'<circle class="trend-marker" cx="{x}" cy="{y}" r="4.5" fill="{TEXT}"/>'


def _series(points, last):
    """One year's line, markers and figures: `points` [(x, %)]. This year's figures sit above their
    points and last year's below, so two close figures do not print over each other."""
    colour, css, dash = (MUTED, "trend-line last", DASH) if last else (TEXT, "trend-line", "")
    out = []
    if len(points) > 1:
        path = " ".join(f"{x},{_y(pct)}" for x, pct in points)
        out.append(f'<polyline class="{css}" points="{path}" stroke="{colour}" {LINE}{dash}/>')
    for x, pct in points:
        y = _y(pct)
        out.append(_marker(x, y, last))
        out.append(
            _text(x, y + 17 if last else y - 9, f"{pct}%", "trend-value" + (" last" if last else ""), colour)
        )
    return "".join(out)


def _legend(x, name, last):
    colour, css, dash = (MUTED, "trend-line last", DASH) if last else (TEXT, "trend-line", "")
    return (
        f'<line class="{css}" x1="{x}" y1="12" x2="{x + 22}" y2="12" stroke="{colour}" {LINE}{dash}/>'
        f"{_marker(x + 11, 12, last)}{_text(x + 28, 16, name, 'trend-legend', anchor='start')}"
    )


def trend_svg(trend, on_label):
    """The chart of a `queries.Trend` ("" when it has no rows): `on_label` names the figure."""
    rows = trend.rows
    if not rows:
        return ""
    step = (WIDTH - LEFT - RIGHT) / len(rows)
    xs = {row.number: round(LEFT + step * (index + 0.5), 1) for index, row in enumerate(rows)}
    this = [(xs[row.number], row.this_pct) for row in rows if row.this_pct is not None]
    last = [(xs[row.number], row.last_pct) for row in rows if row.last_pct is not None]
    this_name, last_name = str(trend.this_year), str(trend.last_year or "")
    said = [f"% {on_label.lower()} by half term. {this_name}:"]
    said.append(", ".join(f"{row.label} {row.this_pct}%" for row in rows if row.this_pct is not None) + ".")
    if last:
        said.append(f"{last_name}:")
        said.append(
            ", ".join(f"{row.label} {row.last_pct}%" for row in rows if row.last_pct is not None) + "."
        )
    label = " ".join(said)
    parts = []
    for pct in (0, 25, 50, 75, 100):
        y = _y(pct)
        parts.append(
            f'<line class="trend-grid" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{GRID}"/>'
        )
        parts.append(_text(LEFT - 5, y + 4, f"{pct}%", "trend-axis", MUTED, anchor="end"))
    parts += [_text(xs[row.number], BOTTOM + 18, row.label, "trend-axis", MUTED) for row in rows]
    parts.append(_legend(LEFT, this_name, last=False))
    if last:
        parts.append(_legend(LEFT + 150, last_name, last=True))
    parts += [_series(this, last=False), _series(last, last=True)]
    return mark_safe(  # noqa: S308 - the words are escaped, the rest are numbers and fixed names
        f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>{''.join(parts)}</svg>"
    )


@register.simple_tag
def trend_chart(trend, on_label):
    return trend_svg(trend, on_label)
