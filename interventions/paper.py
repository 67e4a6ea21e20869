"""Paper for interventions: spreadsheet exports (tablib) and downloads. PDFs are rendered by
tracking.lib.pdf, like every Uplift PDF."""

import tablib
from django.http import HttpResponse

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    """Spreadsheet formulas in text become text (CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export(fmt, headers, rows, *, title="Export"):
    """(bytes, content type) for rows as CSV (with a BOM for Excel) or XLSX."""
    data = tablib.Dataset(headers=[_safe(h) for h in headers], title=title[:31])
    for row in rows:
        data.append([_safe(v) for v in row])
    if fmt == "csv":
        return ("\ufeff" + data.export("csv")).encode("utf-8"), FORMATS["csv"]
    if fmt == "xlsx":
        return data.export("xlsx"), FORMATS["xlsx"]
    raise ValueError(f"Unknown export format {fmt!r}")


def download(body, content_type, filename):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
