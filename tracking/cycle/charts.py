"""Health-check charts as SVG, made on the server so the page and the PDF show the same picture.

The page loads the chart as an <img> from its own URL (an SVG image cannot run script and its
<style> elements do not fall under the page's CSP); the PDF embeds the same SVG as a data URI.
"""

import base64
import re
import sys

import pygal
from pygal.style import Style

# pygal installs a meta-path hook for its map plugins that lacks find_spec, so every later import
# warns (an error under the test suite's warning policy). Uplift uses no pygal maps: remove it.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2328",
    foreground_strong="#1f2328",
    foreground_subtle="#57606a",
    colors=("#3f4aa0", "#b35900", "#00703c", "#8a1538"),
    font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=11,
    legend_font_size=12,
    title_font_size=15,
)


def group_chart_svg(check):
    """Bar chart: on-target % and completion % for each pupil group."""
    rows = [r for r in check.data.get("groups", []) if r["expected"]]
    chart = pygal.HorizontalBar(
        style=STYLE,
        js=[],  # no script: the chart is a picture
        disable_xml_declaration=False,
        width=760,
        height=max(260, 34 * len(rows) + 110),
        range=(0, 100),
        title=f"{check.department.name}: on target and completion by group (%)",
        print_values=True,
        value_formatter=lambda v: f"{v:.0f}%" if v is not None else "–",
        legend_at_bottom=True,
        truncate_label=40,
    )
    rows = list(reversed(rows))  # horizontal bars draw bottom-up: keep "All pupils" on top
    chart.x_labels = [r["label"] for r in rows]
    chart.add("On target", [r["on_target_pct"] for r in rows])
    chart.add("Completion", [r["completion_pct"] for r in rows])
    # pygal always embeds a config <script>; a picture needs none (and CSP would refuse it).
    return re.sub(rb"<script.*?</script>", b"", chart.render(), flags=re.S)


def as_data_uri(svg_bytes):
    return "data:image/svg+xml;base64," + base64.b64encode(svg_bytes).decode()
