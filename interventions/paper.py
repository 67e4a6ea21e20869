"""Paper for interventions: PDFs (WeasyPrint) and spreadsheet exports (tracking.lib.exports).

PDFs fetch nothing from the network: the fetcher allows only Uplift's own static files and data:
URIs, so a name or a note in a plan can never make the renderer call out.
"""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from tracking.lib import exports


def export(fmt, headers, rows, *, title="Export"):
    """(bytes, content type) for rows as CSV or XLSX, through Uplift's one exporter (formulas neutralised)."""
    return exports.render(fmt, headers, rows, sheet=title)


def download(body, content_type, filename):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def static_root():
    return Path(settings.BASE_DIR, "static").resolve()


def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        """Fetch data: URIs and files under Uplift's static folder; refuse everything else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                path = Path(url[len("file://") :].split("?")[0]).resolve()
                if path.is_relative_to(static_root()):
                    return super().fetch(url, headers)
            raise ValueError(f"PDFs may not fetch {url[:80]}")

    return StaticOnlyFetcher


def render_pdf(template, context):
    """A tagged PDF (PDF/UA-1, as the reports' PDFs): headings, tables and reading order survive for a
    screen reader, and the document's title and language come from the template's <title> and lang."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    fetcher = _fetcher_class()(allowed_protocols=("data", "file"))
    document = HTML(string=html, base_url=static_root().as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
