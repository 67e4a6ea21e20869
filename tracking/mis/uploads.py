"""One uploaded spreadsheet read on a page of its own rather than as an import job (FFT estimates,
flight paths), with the MIS imports' handling of bad input: tracking.mis.tabular reads the file (CSV in
any of the encodings schools' exports write, or XLSX; oversized, truncated, binary or hostile files
refused with a sentence) and tracking.mis.columns finds the columns by name and refuses formulas. A file
with any problem is refused whole, every problem with its line; nothing is saved."""

from tracking.lib.errors import DomainError
from tracking.mis.columns import RowReader, guess_mapping, missing_columns
from tracking.mis.jobs import max_bytes
from tracking.mis.tabular import TableError, read_table


class UploadRejected(DomainError):
    """The whole file is refused; `errors` lists (line number, message) for every problem (line 0: the
    file as a whole)."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("rejected", f"The file was rejected: {len(errors)} problem(s). Nothing was saved.")


def read_upload(upload, *, columns):
    """(rows, errors) of an uploaded CSV or XLSX file, its columns found by each Column's name, label or
    aliases: rows are [(line number, {field: text})] of the rows read cleanly, errors (line number,
    message) for rows that were not (a CSV row cut short, a formula), for the caller to list with its
    own. Raises UploadRejected when the file as a whole cannot be read."""
    if upload is None:
        raise UploadRejected([(0, "Choose a CSV or XLSX file to upload.")])
    limit = max_bytes()
    if upload.size > limit:  # refused before it is read into memory
        raise UploadRejected([(0, f"The file is larger than the {limit // (1024 * 1024)} MB limit.")])
    try:
        table = read_table(upload.read(), file_name=upload.name or "", max_bytes=limit)
    except TableError as error:
        raise UploadRejected([(0, str(error))]) from None
    mapping = guess_mapping(columns, table.header, {})
    missing = missing_columns(columns, mapping)
    if missing:
        names = ", ".join(f"'{column.label}'" for column in missing)
        raise UploadRejected([(1, f"the header row must have the column(s) {names}")])
    reader = RowReader(table.header, mapping)
    rows, errors = [], []
    for number, cells in table.rows:
        problems = []
        if table.format != "XLSX" and len(cells) < len(table.header):
            # A CSV row cut short (a workbook leaves empty cells off the end of a row: not a problem there).
            problems.append(f"has {len(cells)} column(s); the header has {len(table.header)}")
        found = []
        values = reader.values(number, cells, found)
        problems += [message for _where, message in found]
        if problems:
            errors.append((number, "; ".join(problems)))
        else:
            rows.append((number, values))
    return rows, errors
