"""Report PDFs: WeasyPrint renders a Django template from a report's frozen data.

The URL fetcher loads Uplift's own static files and `data:` URIs and refuses everything else, so a
comment or a school setting can never make the renderer reach the network or the file system.
"""

import logging
import posixpath
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date

from tracking import standing
from tracking.school.theme import safe_colour, text_colour_on

log = logging.getLogger(__name__)
# WeasyPrint logs each rendering step at INFO: hundreds of lines per batch in the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The origin report HTML is rendered under: `{% static %}` paths resolve against it and nothing else.
BASE_URL = "https://uplift.invalid/"
TEMPLATE = "reports/pdf/report.html"
ICONS = {"above": "▲", "on": "●", "below": "▼", "well_below": "▼▼", "none": "–"}


class Refused(ValueError):
    """The report asked for something other than Uplift's static files or a data: URI."""


def static_path(url):
    """The file on disk for an Uplift static URL under BASE_URL (None for anything else)."""
    parts = urlsplit(url)
    prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(prefix):
        return None
    relative = posixpath.normpath(unquote(parts.path[len(prefix) :]))
    if relative.startswith(("../", "/")) or relative in ("..", ".") or "\x00" in relative:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    try:  # collected static files (production), e.g. a hashed name from the manifest storage
        candidate = Path(staticfiles_storage.path(relative))
    except Exception:  # a storage without local paths, or a path outside it
        return None
    return candidate if candidate.is_file() else None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415 - heavy import, PDFs only

    class StaticOnlyFetcher(URLFetcher):
        """Uplift's static files and data: URIs; everything else is refused."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_path(url)
            if path is None:
                raise Refused(f"Reports load only Uplift's static files, not {url[:80]}")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _content_type(path)})

    return StaticOnlyFetcher


def url_fetcher():
    return _fetcher_class()(allowed_protocols=("data", "https"), allow_redirects=False)


def _content_type(path):
    return {
        ".css": "text/css",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
        ".svg": "image/svg+xml",
        ".png": "image/png",
    }.get(path.suffix, "application/octet-stream")


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
    from weasyprint import HTML  # noqa: PLC0415

    document = HTML(string=html(data), base_url=BASE_URL, url_fetcher=url_fetcher()).render()
    out = BytesIO()
    document.write_pdf(out, pdf_variant="pdf/ua-1", pdf_tags=True)
    return out.getvalue(), len(document.pages)


def merge(pdfs):
    """One print PDF of many stored report PDFs, in order (each keeps its own page numbers)."""
    from pypdf import PdfWriter  # noqa: PLC0415

    writer = PdfWriter()
    for content in pdfs:
        writer.append(BytesIO(content))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp():
    return timezone.now()
