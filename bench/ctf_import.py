"""Importing a whole year's intake from a Common Transfer File: 1,500 pupils with KS2 results and contacts.

Budget: the dry run and the commit each under 10 s. Runs in a transaction that is rolled back, against a
scratch school, so the demo is left as it was.
  .venv/bin/python bench/ctf_import.py
"""

import sys
import time

from _setup import setup

setup(ensure_demo=False)

from django.db import transaction  # noqa: E402

from tracking.lib.upn import make_upn  # noqa: E402
from tracking.mis.services import ctf_import  # noqa: E402
from tracking.models import Pupil, School, YearGroup  # noqa: E402

PUPILS = 1500
BUDGET_S = 10.0


def pupil_xml(n):
    upn = make_upn(801, 2000 + n // 1000, 14, n % 1000)
    return (
        f"<Pupil><UPN>{upn}</UPN><Surname>Surname{n}</Surname><Forename>Pupil{n}</Forename>"
        f"<DOB>2014-0{1 + n % 9}-1{n % 9}</DOB><Sex>{'MF'[n % 2]}</Sex>"
        "<BasicDetails><NCyearActual>6</NCyearActual>"
        "<Languages><Type><LanguageType>F</LanguageType><Language>ENG</Language></Type></Languages></BasicDetails>"
        "<SENhistory><SEN><StartDate>2020-01-01</StartDate><SENprovision>N</SENprovision></SEN></SENhistory>"
        f"<Contacts><Contact><Forename>Parent{n}</Forename><Surname>Surname{n}</Surname><Relationship>PAM"
        f"</Relationship><Responsibility>true</Responsibility><Email>p{n}@example.org</Email></Contact></Contacts>"
        "<Attendance><YearData><Year>2025</Year><SessionsPossible>300</SessionsPossible>"
        f"<SessionsAttended>{280 + n % 20}</SessionsAttended></YearData></Attendance>"
        "<StageAssessments><KeyStage><Stage>KS2</Stage>"
        "<StageAssessment><Subject>ENG</Subject><Method>TT</Method><Component>RD</Component>"
        f"<Result>{90 + n % 30}"
        "</Result></StageAssessment><StageAssessment><Subject>MAT</Subject><Method>TT</Method><Component>MAT"
        f"</Component><Result>{95 + n % 25}</Result></StageAssessment></KeyStage></StageAssessments></Pupil>"
    )


def main():
    raw = (
        "<?xml version='1.0' encoding='utf-8'?><CTfile><Header><CTFversion>25.0</CTFversion></Header>"
        "<CTFpupilData>" + "".join(pupil_xml(n) for n in range(PUPILS)) + "</CTFpupilData></CTfile>"
    ).encode()
    failed = False
    with transaction.atomic():
        school = School.objects.create(name="Bench Intake School", slug="bench-ctf-intake")
        YearGroup.objects.create(school=school, number=7)
        for label, commit in (("dry run", False), ("commit", True), ("re-import (unchanged)", True)):
            started = time.perf_counter()
            job = ctf_import(school=school, raw=raw, file_name="intake.xml", by=None, commit=commit)
            elapsed = time.perf_counter() - started
            ok = elapsed < BUDGET_S and not job.problems
            failed |= not ok
            print(
                f"CTF import {label}: {PUPILS} pupils ({len(raw) // 1024} KB) in {elapsed:.2f} s "
                f"[{job.summary}] budget {BUDGET_S:.0f} s {'ok' if ok else 'MISSED'}"
            )
        assert Pupil.objects.filter(school=school).count() == PUPILS
        transaction.set_rollback(True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
