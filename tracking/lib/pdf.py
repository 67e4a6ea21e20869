"""Every PDF Uplift prints (reports, RAG sheets, plans, timetables, health checks, dashboards, subject
access summaries) is rendered here by WeasyPrint from a Django template.

WeasyPrint fetches what a document links to. Uplift's documents may use only Uplift's own static
files and data: URIs: never the network (no server-side requests to addresses a template, a comment
or a pupil's data could name) and never other files on the server's disk.
"""

import posixpath
import threading
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

# The origin documents are rendered under: `{% static %}` paths resolve against it. It never resolves,
# so nothing is fetched from it; the fetcher maps its static paths to files on disk.
BASE_URL = "https://uplift.invalid/"
CONTENT_TYPES = {
    ".css": "text/css",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


class Refused(ValueError):
    """A document asked for something other than Uplift's static files or a data: URI."""


def static_path(url):
    """The file on disk for an http(s) URL whose path is under STATIC_URL (any host), or None."""
    parts = urlsplit(url)
    prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    if parts.scheme not in ("http", "https") or not parts.path.startswith(prefix):
        return None
    relative = posixpath.normpath(unquote(parts.path[len(prefix) :]))
    if relative.startswith(("../", "/")) or relative in ("..", ".") or "\x00" in relative:
        return None
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if found:
        return Path(found)
    try:  # collected static files (production), e.g. a hashed name from the manifest storage
        candidate = Path(staticfiles_storage.path(relative))
    except Exception:  # a storage without local paths, or a path outside it
        return None
    return candidate if candidate.is_file() else None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415 - heavy; PDFs only

    class StaticOnlyFetcher(URLFetcher):
        """Uplift's static files and data: URIs; everything else is refused."""

        def fetch(self, url, headers=None):
            if url.lower().startswith("data:"):
                return super().fetch(url, headers)
            path = static_path(url)
            if path is None:
                raise Refused(f"PDFs may use only Uplift's static files and data: URIs, not {url[:80]}")
            content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher


def url_fetcher():
    return _fetcher_class()(allowed_protocols=("data",), allow_redirects=False)


_fonts = threading.local()


def font_config():
    """This thread's WeasyPrint font configuration, kept between documents: a report's web fonts
    (@font-face) are then fetched and registered once per worker thread instead of once per PDF.
    Per thread because a configuration is not safe to share between threads."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

        config = _fonts.config = FontConfiguration()
    return config


def document(html, *, base_url=BASE_URL):
    """The laid-out WeasyPrint Document for some HTML (pages can be counted, merged or written).
    `base_url` is only what relative links resolve against; whatever it is, only static files load."""
    from weasyprint import HTML  # noqa: PLC0415

    return HTML(string=html, base_url=base_url, url_fetcher=url_fetcher()).render(font_config=font_config())


def write(doc):
    """PDF bytes, tagged (PDF/UA-1): headings, tables and reading order survive for a screen reader,
    and the title and language come from the template's <title> and lang."""
    out = BytesIO()
    doc.write_pdf(out, pdf_variant="pdf/ua-1", pdf_tags=True)
    return out.getvalue()


def html_to_pdf(html, *, base_url=BASE_URL):
    return write(document(html, base_url=base_url))


def render_pdf(template, context, *, base_url=BASE_URL):
    return html_to_pdf(render_to_string(template, context), base_url=base_url)
