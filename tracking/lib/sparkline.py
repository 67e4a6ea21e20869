"""Small server-made SVG charts: the same markup works in the browser and in WeasyPrint PDFs.

Only SVG presentation attributes (stroke=, fill=) are used, never style=, so the strict CSP holds.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

LINE = "#3f4a9b"
TARGET = "#505a5f"


def sparkline(values, target=None, *, width=180, height=44, label=""):
    """An SVG line of grade points over time, with the target as a dashed line.

    `values`: numbers or None (a point with no grade leaves a gap in the dots, the line joins the rest).
    """
    known = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if not known:
        return ""
    levels = [v for _, v in known] + ([float(target)] if target is not None else [])
    low, high = min(levels) - 0.5, max(levels) + 0.5
    pad = 4
    steps = max(len(values) - 1, 1)

    def x(i):
        return pad + (width - 2 * pad) * (i / steps if len(values) > 1 else 0.5)

    def y(v):
        return pad + (height - 2 * pad) * (1 - (v - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
    ]
    if target is not None:
        ty = y(float(target))
        parts.append(
            f'<line x1="{pad}" y1="{ty:.1f}" x2="{width - pad}" y2="{ty:.1f}" stroke="{TARGET}" '
            'stroke-width="1" stroke-dasharray="4 3"/>'
        )
    if len(known) > 1:
        path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in known)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for n, (i, v) in enumerate(known):
        r = 3.2 if n == len(known) - 1 else 2.2
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{r}" fill="{LINE}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
