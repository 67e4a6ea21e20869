"""Reading a spreadsheet export (CSV or XLSX) into a header and plain text rows, refusing hostile files.

Every MIS exports differently: Excel's "CSV UTF-8" (with a byte-order mark), plain UTF-8, "Unicode text"
(UTF-16, tab-separated), semicolons from European Excel, XLSX. What cannot be read safely is refused with
a sentence the data manager can act on, never a traceback: a file in another encoding, a truncated or
garbage workbook, a workbook that would expand to far more than its size (a zip bomb), formulas.
"""

import csv
import io
import zipfile
from dataclasses import dataclass

from tracking.lib.errors import DomainError

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
# A real workbook compresses its XML about 5-20 times; a zip bomb compresses thousands of times. A
# workbook may expand to at most this many times its size, and to at most EXPANDED_LIMIT times the
# upload limit whatever its size.
MAX_EXPANSION = 100
EXPANDED_LIMIT = 5
MAX_ZIP_ENTRIES = 2000
MAX_COLUMNS = 200


class TableError(DomainError):
    """The file as a whole cannot be read (wrong format, encoding, empty, hostile)."""

    def __init__(self, message):
        super().__init__("unreadable_table", message)


@dataclass
class Table:
    header: list  # the header row's cells, stripped
    rows: list  # (line number, [cell text, ...]) for every non-blank row after the header
    format: str  # "CSV", "UTF-16 text" or "XLSX"


def read_table(raw, *, file_name, max_bytes):
    """A Table from an uploaded file's bytes; TableError for anything that cannot be read."""
    if len(raw) > max_bytes:
        raise TableError(f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit.")
    if raw.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(raw, max_bytes)
    if raw.startswith(OLE_MAGIC) or file_name.lower().endswith(".xls"):
        raise TableError(
            "This is an old Excel .xls workbook (or not a spreadsheet): save it as .xlsx or as CSV UTF-8."
        )
    return _read_csv(raw)


def _decode(raw):
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "UTF-16 text"
        except UnicodeDecodeError:
            raise TableError("The file says it is UTF-16 text but is cut short or damaged.") from None
    if b"\x00" in raw[:4096]:
        raise TableError(
            "The file is not CSV text (it contains zero bytes): it may be UTF-16 without a byte-order "
            "mark, or a binary file. Save it from Excel as 'CSV UTF-8'."
        )
    try:
        return raw.decode("utf-8-sig"), "CSV"
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start : error.start + 1].hex().upper()
        raise TableError(
            f"The file is not UTF-8 text: line {line} has the byte 0x{byte}, which usually means it was "
            "saved as Windows 'CSV' (cp1252). Save it from Excel as 'CSV UTF-8' and upload it again."
        ) from None


def _read_csv(raw):
    text, fmt = _decode(raw)
    if not text.strip():
        bom_only = bool(raw.strip())
        raise TableError("The file is empty" + (" (only a byte-order mark)." if bom_only else "."))
    if "\x00" in text:
        raise TableError("The file is not CSV text (it contains zero bytes).")
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise TableError(f"The file is not valid CSV: {error}.") from None
    return _table(enumerate(lines, start=1), fmt)


def _table(numbered, fmt):
    header, rows = None, []
    for number, cells in numbered:
        cells = ["" if c is None else str(c) for c in cells]
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            while header and not header[-1]:
                header.pop()
            if len(header) > MAX_COLUMNS:
                raise TableError(f"The header row has {len(header)} columns; at most {MAX_COLUMNS} are read.")
            continue
        rows.append((number, cells))
    if header is None:
        raise TableError("The file is empty.")
    if not rows:
        raise TableError("The file has a header row but no data rows.")
    return Table(header=header, rows=rows, format=fmt)


def _read_xlsx(raw, max_bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TableError(
            "The file is not a readable XLSX workbook: it may be truncated. Export it again, or save it as "
            "CSV UTF-8."
        ) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise TableError("The workbook has too many parts to be a school export: refused for safety.")
    expanded = sum(entry.file_size for entry in entries)
    if expanded > min(max_bytes * EXPANDED_LIMIT, max(1024 * 1024, len(raw) * MAX_EXPANSION)):
        raise TableError(
            "The workbook would expand to far more than its size (a 'zip bomb'): refused for safety."
        )
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        raise TableError("The file is a ZIP archive but not an Excel workbook (.xlsx).")
    # openpyxl raises many kinds of error on a damaged workbook (KeyError, zipfile, XML errors ...);
    # whichever it is, the data manager's answer is the same: export the file again.
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some exporters write a wrong size: read every row that is there
        numbered = [
            (number, [_xlsx_cell(value, number) for value in row])
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        workbook.close()
    except TableError:
        raise
    except Exception:  # noqa: BLE001 - see above: any failure inside the workbook is one answer
        raise TableError(
            "The workbook cannot be read: it may be damaged or truncated. Export it again, or save it as "
            "CSV UTF-8."
        ) from None
    return _table(numbered, "XLSX")


def _xlsx_cell(value, number):
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):  # a datetime: Excel stores dates this way
        return value.date().isoformat() if not (value.hour or value.minute) else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
