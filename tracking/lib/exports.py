"""Spreadsheet exports (CSV and XLSX) that are safe to open in Excel."""

import csv
import io

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


def render(fmt, headers, rows, *, sheet="Sheet1"):
    """(bytes, content type) for the rows in the format asked for ('csv' or 'xlsx'; `sheet` names the
    workbook's one sheet)."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(h) for h in headers])
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
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
        sheet.append([safe_cell(h) for h in headers])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
