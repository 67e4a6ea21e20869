"""PDFs (health checks, subject access summaries) rendered by WeasyPrint from the same templates.

WeasyPrint fetches what a document links to. Uplift's documents may use only Uplift's own static
files and data: URIs: never the network (no server-side requests to addresses a template or a
pupil's data could name) and never other files on the server's disk.
"""

import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string


def _static_file(url):
    """The file on disk for a URL under STATIC_URL (any host), or None."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(settings.STATIC_URL):
        return None
    relative = path[len(settings.STATIC_URL) :]
    if not relative or ".." in relative.split("/"):
        return None
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if found is None and settings.STATIC_ROOT:
        candidate = settings.STATIC_ROOT / relative
        found = str(candidate) if candidate.is_file() else None
    return found


def static_only_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("data",), allow_redirects=False)

        def fetch(self, url, headers=None):
            if url.lower().startswith("data:"):
                return super().fetch(url, headers)
            found = _static_file(url)
            if found is None:
                raise ValueError(f"PDFs may use only Uplift's static files and data: URIs, not {url[:80]}")
            with open(found, "rb") as file:
                body = file.read()
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    return StaticOnlyFetcher()


def html_to_pdf(html, *, base_url=None):
    from weasyprint import HTML

    return HTML(
        string=html, base_url=base_url or str(settings.BASE_DIR), url_fetcher=static_only_fetcher()
    ).write_pdf()


def render_pdf(template, context, *, base_url=None):
    return html_to_pdf(render_to_string(template, context), base_url=base_url)
