"""Importing a whole school's roll from a spreadsheet: 6,000 pupils with KS2 results, forms and pupil
premium, from CSV and from XLSX.

Budget: the dry run and the commit each under 10 s; the re-import (nothing changes) too. Query counts are
printed: they must not grow with the number of rows. Runs in a transaction that is rolled back, against a
scratch school, so the demo is left as it was.
  .venv/bin/python bench/spreadsheet_import.py
"""

import io
import os
import sys
import time

from _setup import setup

setup(ensure_demo=False)

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from tracking.lib.upn import make_upn  # noqa: E402
from tracking.mis.kinds import spreadsheet_import  # noqa: E402
from tracking.models import AcademicYear, Pupil, School, YearGroup  # noqa: E402

PUPILS = int(os.environ.get("BENCH_ROWS", "6000"))
BUDGET_S = 10.0
HEADER = ["UPN", "Surname", "Forename", "DOB", "Sex", "Year", "Reg Group", "KS2 Reading", "KS2 Maths", "PP"]


def rows():
    for n in range(PUPILS):
        year = 7 + n % 5
        yield [
            make_upn(801, 2000 + n // 1000, 14, n % 1000),
            f"Surname{n}",
            f"Pupil{n}",
            f"{2015 - year + 7}-0{1 + n % 9}-1{n % 9}",
            "MF"[n % 2],
            str(year),
            f"{year}{'ABCDEFGH'[n % 8]}",
            str(90 + n % 30),
            str(95 + n % 25),
            "YN"[n % 3 == 0],
        ]


def csv_file():
    return ("\n".join(",".join(r) for r in [HEADER, *rows()]) + "\n").encode()


def xlsx_file():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roll")
    sheet.append(HEADER)
    for row in rows():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main():
    failed = False
    for fmt, raw in (("CSV", csv_file()), ("XLSX", xlsx_file())):
        with transaction.atomic():
            school = School.objects.create(name="Bench Roll School", slug="bench-roll")
            AcademicYear.objects.create(
                school=school, name="2026/27", starts_on="2026-09-01", ends_on="2027-08-31", is_current=True
            )
            for number in range(7, 12):
                YearGroup.objects.create(school=school, number=number)
            for label, commit in (("dry run", False), ("commit", True), ("re-import (unchanged)", True)):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    job = spreadsheet_import(
                        school=school,
                        kind="pupils",
                        raw=raw,
                        file_name=f"roll.{fmt.lower()}",
                        by=None,
                        commit=commit,
                    )
                elapsed = time.perf_counter() - started
                ok = elapsed < BUDGET_S and not job.problems
                failed |= not ok
                print(
                    f"{fmt} pupils import {label}: {PUPILS} rows ({len(raw) // 1024} KB) in {elapsed:.2f} s, "
                    f"{len(queries)} queries [{job.summary}] budget {BUDGET_S:.0f} s "
                    + ("ok" if ok else "MISSED")
                )
            assert Pupil.objects.filter(school=school).count() == PUPILS
            transaction.set_rollback(True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
