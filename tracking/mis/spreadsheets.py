"""What every spreadsheet import shares: reading the file through the school's column mapping, and
reading the values schools' exports write (dates, yes/no, years, UPNs) with a reason for each refusal."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tracking.mis.columns import RowReader, mapping_problems
from tracking.mis.ctf import upn_problem
from tracking.mis.jobs import Importer, ImportFileError, max_bytes
from tracking.mis.tabular import TableError, read_table

YES = {"y", "yes", "true", "1", "t"}
NO = {"n", "no", "false", "0", "f", ""}


@dataclass
class Sheet:
    rows: list  # (line number, {field: text})
    problems: list
    mapped: set  # fields the file has a column for


class SpreadsheetImporter(Importer):
    """Reads CSV or XLSX through the job's column mapping ({field: header})."""

    label = ""
    description = ""

    def read(self, raw, job):
        table = getattr(job, "table", None)  # already read when the job was made in this process
        if table is None:
            try:
                table = read_table(raw, file_name=job.file_name, max_bytes=max_bytes())
            except TableError as error:
                raise ImportFileError(str(error)) from None
        job.version = table.format
        problems = mapping_problems(self.columns, job.mapping, table.header)
        problems += self.mapping_rules(job.mapping)
        if problems:
            raise ImportFileError("; ".join(message for _where, message in problems), problems)
        reader = RowReader(table.header, job.mapping)
        problems, rows = [], []
        for number, cells in table.rows:
            rows.append((number, reader.values(number, cells, problems)))
        return Sheet(rows=rows, problems=problems, mapped=set(reader.where))

    def mapping_rules(self, mapping):
        """Problems with a mapping beyond required columns (e.g. 'at least one grade column')."""
        return []

    def rows(self, parsed):
        return len(parsed.rows)


def line(number):
    return f"Line {number}"


def read_upn(text):
    """(UPN, problem or None)."""
    upn = re.sub(r"\s", "", text).upper()
    if not upn:
        return upn, "the UPN is blank"
    return upn, upn_problem(upn)


def read_date(text):
    """A date from ISO (2014-03-04) or UK (04/03/2014, 4.3.2014) writing; None if it is not one."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def read_bool(text):
    """True/False, or None when the text is not a yes or no."""
    key = text.strip().lower()
    if key in YES:
        return True
    if key in NO:
        return False
    return None


def read_year(text):
    """7 from '7', 'Y7', 'Year 7', '07'; None otherwise."""
    match = re.fullmatch(r"(?:year|yr|y|nc)?\s*0?(\d{1,2})", text.strip().lower())
    return int(match.group(1)) if match else None


def read_gender(text):
    key = text.strip().lower()
    if key in {"m", "male", "boy"}:
        return "M"
    if key in {"f", "female", "girl"}:
        return "F"
    if key in {"x", "u", "9", "other", "not stated", "unknown"}:
        return "X"
    return None


def read_number(text):
    try:
        return Decimal(text.strip().rstrip("%").strip())
    except InvalidOperation:
        return None
