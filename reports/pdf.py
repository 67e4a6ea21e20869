"""Report PDFs: WeasyPrint renders a Django template from a report's frozen data.

Rendering goes through tracking.lib.pdf, whose URL fetcher loads Uplift's own static files and `data:`
URIs and refuses everything else, so a comment or a school setting can never make the renderer reach
the network or the file system.
"""

import logging
from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date

from tracking import standing
from tracking.lib import pdf, workers
from tracking.school.theme import safe_colour, text_colour_on
from tracking.templatetags.uplift import ICONS

log = logging.getLogger(__name__)
# WeasyPrint logs each rendering step at INFO: hundreds of lines per batch in the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TEMPLATE = "reports/pdf/report.html"


def theme(school_colours):
    """The school's standing colours, checked (only #rrggbb reaches the stylesheet)."""
    rules = []
    for status, colour in school_colours.items():
        colour = safe_colour(colour)
        if colour:
            rules.append(f".status-{status}{{border-color:{colour}}}")
            rules.append(f".status-{status} .status-icon{{color:{colour}}}")
            rules.append(f".key-{status}{{background:{colour};color:{text_colour_on(colour)}}}")
    return "".join(rules)


def context(data):
    """The template context of a report: its frozen data and nothing read from the database."""
    return {
        "r": data,
        "subjects": [{**s, "icon": ICONS.get(s["standing"]["status"], "")} for s in data["subjects"]],
        "issued_on": parse_date(data["issued_on"]),
        "closes_on": parse_date(data["point"]["closes_on"]),
        "fields": set(data["fields"]),
        "theme_css": theme(data.get("colours", {})),
        "statuses": [
            (status, standing.DEFAULT_LABELS[status])
            for status in (standing.ABOVE, standing.ON, standing.BELOW)
        ],
    }


def html(data):
    return render_to_string(TEMPLATE, context(data))


def render(data):
    """(pdf bytes, pages) for one report: A4, tagged (PDF/UA-1), fonts embedded."""
    document = pdf.document(html(data))
    return pdf.write(document), len(document.pages)


def render_many(reports, *, processes=1):
    """[(pdf bytes, pages, None) or (None, None, the exception)] for each report's frozen data, in order,
    laid out in up to `processes` processes at once."""
    return workers.map_in_processes(_render_or_failure, reports, processes=processes)


def _render_or_failure(data):
    try:
        return (*render(data), None)
    except Exception as exc:  # one pupil's failure is listed with its reason, never the batch's
        return None, None, exc


def merge(contents):
    """One print PDF of many stored report PDFs, in order (each keeps its own page numbers)."""
    from pypdf import PdfWriter  # noqa: PLC0415

    writer = PdfWriter()
    for content in contents:
        writer.append(BytesIO(content))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp():
    return timezone.now()
