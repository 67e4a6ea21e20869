"""Tables downloaded as CSV, or several as one XLSX workbook. Exports go through tracking.lib.exports,
which neutralises spreadsheet formulas."""

from django.http import HttpResponse
from django.utils.text import slugify

from tracking.lib import exports


def values(table):
    """(headers, rows) of a table as exported: every column but the bars, raw values."""
    rows = list(table.as_values())
    return rows[0], rows[1:]


def download(tables_, fmt, name):
    """One table as CSV, or several as one XLSX workbook with a sheet each."""
    if fmt == "csv":
        body, content_type = exports.render("csv", *values(tables_[0]))
    elif fmt == "xlsx":
        body = exports.workbook([(t.title, *values(t)) for t in tables_])
        content_type = exports.FORMATS["xlsx"]
    else:
        raise ValueError(fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
