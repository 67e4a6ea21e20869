"""Spreadsheet exports (CSV and XLSX) that are safe to open in Excel.

The one exporter: every page's "Download CSV / XLSX" asks for `?export=csv|xlsx` on the page's own URL,
so the download passes through the same view, with the same permission scope and filters, and holds
every row the page would show (not one page of them). `requested` reads the format, `download` builds
the response from headers and rows, `table_download` from a django-tables2 table.
"""

import csv
import io
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise spreadsheet formulas in text (CSV injection): a leading quote makes them text.

    Numbers stay numbers; only strings that a spreadsheet would read as a formula are prefixed.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell(value):
    """A value as a spreadsheet cell: formulas neutralised (safe_cell), and a moment in time in the
    school's time to the second (spreadsheets hold no time zones)."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.replace(microsecond=0)
    return safe_cell(value)


def render(fmt, headers, rows, *, sheet="Sheet1"):
    """(bytes, content type) for the rows in the format asked for ('csv' or 'xlsx'; `sheet` names the
    workbook's one sheet)."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([cell(h) for h in headers])
        for row in rows:
            writer.writerow([cell(v) for v in row])
        # A byte-order mark so Excel reads the UTF-8 names correctly.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), FORMATS["csv"]
    if fmt == "xlsx":
        return workbook([(sheet, headers, rows)]), FORMATS["xlsx"]
    raise ValueError(f"Unknown export format {fmt!r}")


def workbook(sheets):
    """XLSX bytes with one sheet per (title, headers, rows); titles are cut to Excel's 31 characters."""
    book = Workbook(write_only=True)
    used = set()
    for title, headers, rows in sheets:
        name = "".join(c for c in str(title) if c not in "[]:*?/\\")[:31] or "Sheet"
        while name in used:
            name = f"{name[:28]} {len(used)}"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([cell(h) for h in headers])
        for row in rows:
            sheet.append([cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def requested(request):
    """The format asked for with ?export=csv or ?export=xlsx, or None (the page itself)."""
    fmt = request.GET.get("export")
    return fmt if fmt in FORMATS else None


def download(fmt, headers, rows, *, name, sheet=None):
    """An attachment response named for `name` (e.g. 'pupils' -> pupils.csv)."""
    body, content_type = render(fmt, headers, rows, sheet=sheet or name.capitalize())
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{slugify(name) or "export"}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def download_sheets(fmt, sheets, *, name):
    """A page of several tables as one attachment: the XLSX has a sheet per (title, headers, rows), the CSV
    the first table (the page's main one) alone."""
    if fmt == "xlsx":
        response = HttpResponse(workbook(sheets), content_type=FORMATS["xlsx"])
        response["Content-Disposition"] = f'attachment; filename="{slugify(name) or "export"}.xlsx"'
        response["Cache-Control"] = "no-store"
        return response
    _title, headers, rows = sheets[0]
    return download(fmt, headers, rows, name=name)


def table_values(table):
    """(headers, rows) of a django-tables2 table as exported: every row (no paging), the columns not
    marked exclude_from_export, each cell's `value_<column>` (or its render with the HTML removed)."""
    values = table.as_values()
    headers = next(values)
    return headers, list(values)


def table_download(request, table, fmt, *, name, sheet=None):
    """Every row of `table` in the page's order (?sort=) as an attachment."""
    from django_tables2 import RequestConfig

    RequestConfig(request, paginate=False).configure(table)
    return download(fmt, *table_values(table), name=name, sheet=sheet)
