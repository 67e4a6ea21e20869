"""Paper for interventions: spreadsheet exports (through tracking.lib.exports) and downloads. PDFs are
rendered by tracking.lib.pdf, like every Uplift PDF."""

from django.http import HttpResponse

from tracking.lib import exports


def export(fmt, headers, rows, *, title="Export"):
    """(bytes, content type) for rows as CSV or XLSX, through Uplift's one exporter (formulas neutralised)."""
    return exports.render(fmt, headers, rows, sheet=title)


def download(body, content_type, filename):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
