"""Reading uploaded CSV files the same careful way everywhere: whole-file rejection with line numbers."""

import csv
import io
from collections import defaultdict

from tracking.lib.errors import DomainError
from tracking.lib.grading import ScaleLookup, UnknownGrade
from tracking.models import GradeValue, Subject

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class ImportRejected(DomainError):
    """The whole file is refused; `errors` lists (line number, message) for every bad row."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("rejected", f"The file was rejected: {len(errors)} problem(s). Nothing was saved.")


def read_csv_upload(upload, *, required):
    """[(line number, {field: text})] from an uploaded CSV; `required` maps field -> accepted headers.

    Raises ImportRejected for a missing, empty, oversized, non-UTF-8 or malformed file.
    """
    if upload is None:
        raise ImportRejected([(0, "choose a CSV file to upload")])
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImportRejected([(0, f"the file is {upload.size // 1024} KB; the limit is 2 MB")])
    raw = upload.read()
    if not raw.strip():
        raise ImportRejected([(0, "the file is empty")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [(0, f"the file is not UTF-8 text (byte {exc.start}); save it from Excel as 'CSV UTF-8'")]
        ) from None
    if "\x00" in text:
        raise ImportRejected([(0, "the file is not a CSV text file")])
    if not text.strip():
        # e.g. only a byte-order mark: Excel's "CSV UTF-8" of an empty sheet.
        raise ImportRejected([(0, "the file is empty")])
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportRejected([(0, f"the file is not valid CSV: {exc}")]) from None
    header = [h.strip().lower() for h in rows[0]]
    columns, missing = {}, []
    for name, accepted in required.items():
        index = next((i for i, h in enumerate(header) if h in accepted), None)
        if index is None:
            missing.append(f"'{accepted[0]}'")
        columns[name] = index
    if missing:
        raise ImportRejected([(1, f"the header row must have the column(s) {', '.join(missing)}")])
    result, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            errors.append((number, f"has {len(row)} column(s); the header has {len(header)}"))
            continue
        result.append((number, {name: row[index] for name, index in columns.items()}))
    if errors:
        raise ImportRejected(errors)
    return result


class SubjectGrades:
    """A school's subjects by code and their scales' grades, loaded once, for reading typed grades in
    import rows against each subject's own scale (one ScaleLookup per scale)."""

    def __init__(self, school):
        self.subjects = {
            s.code.upper(): s for s in Subject.objects.filter(school=school).select_related("scale")
        }
        self._values = defaultdict(list)
        for value in GradeValue.objects.filter(scale__school=school).select_related("scale"):
            self._values[value.scale_id].append(value)
        self._lookups = {}

    def subject(self, code):
        return self.subjects.get(code.strip().upper())

    def grade(self, subject, text, *, blank):
        """(GradeValue or None, problem or None); `blank` is the problem for an empty cell."""
        lookup = self._lookups.get(subject.scale_id)
        if lookup is None:
            lookup = self._lookups[subject.scale_id] = ScaleLookup(
                subject.scale, self._values[subject.scale_id]
            )
        try:
            grade = lookup.parse(text)
        except UnknownGrade as exc:
            return None, str(exc)
        return grade, (blank if grade is None else None)
