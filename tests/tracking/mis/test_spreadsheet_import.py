"""Spreadsheet imports (CSV and XLSX): columns mapped and remembered, dry run then commit, matching by
UPN, and every hostile or broken file refused with a reason and nothing saved."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from tracking.mis.kinds import spreadsheet_import
from tracking.models import AuditEvent, FormGroup, ImportJob, ImportMapping, ImportStatus, Pupil

pytestmark = pytest.mark.django_db

ADA = "B801200005001"
ZOE = "Z801209809069"
HEADER = "UPN,Surname,Forename,DOB,Sex,Year,Reg Group,KS2 Reading,KS2 Maths,Pupil Premium\n"
ROLL = HEADER + f"{ADA},Lamb,Ada,2011-05-01,F,11,11A,104,111,Y\n{ZOE},Ng,Zoë,04/03/2011,M,11,11B,,99,N\n"


def run(school, text, *, kind="pupils", commit=True, name="roll.csv", by=None, mapping=None):
    raw = text.encode() if isinstance(text, str) else text
    return spreadsheet_import(
        school=school, kind=kind, raw=raw, file_name=name, by=by, commit=commit, mapping=mapping
    )


def xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def valid_upn(pupil, upn="A801200005010"):
    """The factories' UPNs are placeholders; imports check the DfE check letter."""
    pupil.upn = upn
    pupil.save(update_fields=["upn"])
    return upn


def upload(data, name):
    handle = io.BytesIO(data.encode() if isinstance(data, str) else data)
    handle.name = name
    return handle


# -- the roll -------------------------------------------------------------------------------------


def test_a_dry_run_counts_what_the_commit_does_and_saves_nothing(world):
    job = run(world.school, ROLL, commit=False)
    assert job.status == ImportStatus.PREVIEWED, job.problems
    assert (job.created, job.updated, job.unchanged) == (2, 0, 0)
    assert not Pupil.objects.filter(upn__in=[ADA, ZOE]).exists()
    assert bytes(ImportJob.objects.get(pk=job.pk).content) == ROLL.encode()


def test_commit_creates_pupils_with_forms_ks2_and_an_audit_row_each(world):
    job = run(world.school, ROLL, by=world.data_manager.user)
    assert job.status == ImportStatus.COMMITTED, job.problems
    ada = Pupil.objects.get(school=world.school, upn=ADA)
    assert (ada.legal_first_name, ada.year_group, ada.form) == ("Ada", world.y11, world.form)
    assert (ada.ks2_reading, ada.ks2_maths, ada.prior_band, ada.disadvantaged) == (104, 111, "middle", True)
    zoe = Pupil.objects.get(school=world.school, upn=ZOE)
    assert (zoe.legal_first_name, str(zoe.date_of_birth), zoe.ks2_reading) == ("Zoë", "2011-03-04", None)
    assert zoe.form.name == "11B"  # a form the school did not have yet, in the current year
    assert FormGroup.objects.get(name="11B").academic_year == world.year
    events = AuditEvent.objects.filter(action="tracking.pupil.imported", pupil__upn__in=[ADA, ZOE])
    assert events.count() == 2
    assert {e.by for e in events} == {world.data_manager.user}
    assert ImportJob.objects.get(pk=job.pk).content == b""  # not kept once imported


def test_importing_the_same_file_again_changes_nothing(world):
    run(world.school, ROLL)
    events = AuditEvent.objects.count()
    job = run(world.school, ROLL)
    assert (job.created, job.updated, job.unchanged) == (0, 0, 2)
    assert Pupil.objects.filter(upn__in=[ADA, ZOE]).count() == 2
    assert AuditEvent.objects.count() == events


def test_a_changed_row_updates_only_what_changed_with_before_and_after(world):
    run(world.school, ROLL)
    job = run(world.school, ROLL.replace(",104,111,Y", ",110,111,Y"))
    assert (job.created, job.updated, job.unchanged) == (0, 1, 1)
    assert job.changes[0]["fields"] == {"KS2 reading scaled score": [104, 110]}
    ada = Pupil.objects.get(upn=ADA)
    assert (ada.ks2_reading, ada.prior_band) == (110, "high")
    event = AuditEvent.objects.get(action="tracking.pupil.updated")
    assert (event.before, event.after) == ({"ks2_reading": 104}, {"ks2_reading": 110})


def test_an_existing_pupil_is_matched_by_upn_whatever_the_name_says(world):
    upn = valid_upn(world.child)
    job = run(world.school, HEADER + f"{upn},Lamb,Ada,2011-03-04,F,11,11A,104,106,N\n")
    assert (job.created, job.updated) == (0, 0), job.changes
    assert Pupil.objects.filter(upn=upn).count() == 1


def test_xlsx_with_real_dates_and_numbers_imports_like_csv(world):
    import datetime

    raw = xlsx(
        [
            ["UPN", "Surname", "Forename", "DOB", "Sex", "Year", "Attendance %"],
            [ADA, "Lamb", "Ada", datetime.datetime(2011, 5, 1), "F", 11, 0.953],
        ]
    )
    job = run(world.school, raw, name="roll.xlsx")
    assert job.status == ImportStatus.COMMITTED, job.problems
    ada = Pupil.objects.get(upn=ADA)
    assert (str(ada.date_of_birth), float(ada.attendance)) == ("2011-05-01", 95.3)


def test_a_utf16_unicode_text_export_with_tabs_is_read(world):
    raw = ROLL.replace(",", "\t").encode("utf-16")
    job = run(world.school, raw, name="roll.txt")
    assert job.status == ImportStatus.COMMITTED, job.problems
    assert Pupil.objects.get(upn=ZOE).legal_first_name == "Zoë"


def test_another_schools_pupil_with_the_same_upn_is_not_touched(world, other_world):
    run(other_world.school, ROLL)
    job = run(world.school, ROLL)
    assert job.created == 2
    assert Pupil.objects.filter(upn=ADA).count() == 2


# -- bad rows: nothing saved, every problem with its line ----------------------------------------


def test_bad_rows_save_nothing_and_every_problem_is_listed_with_its_line(world):
    text = (
        HEADER
        + f"{ADA},Lamb,Ada,2011-05-01,F,11,11A,104,111,Y\n"  # fine
        + "A801200005001,Bad,Check,2011-05-01,F,11,11A,,,N\n"  # wrong check letter
        + f"{ADA},Twice,Again,2011-05-01,F,11,11A,,,N\n"  # duplicate UPN
        + f"{ZOE},Ng,Zoe,31/02/2011,Q,14,11A,130,,maybe\n"  # date, sex, year, KS2, yes/no
    )
    job = run(world.school, text)
    assert job.status == ImportStatus.REJECTED
    problems = [(where, message) for where, message in job.problems]
    assert ("Line 3", "UPN 'A801200005001' has check letter A; the DfE check letter for it is B") in problems
    assert ("Line 4", f"UPN {ADA} appears twice (also line 2)") in problems
    line5 = [message for where, message in problems if where == "Line 5"]
    assert line5 == [
        "date of birth '31/02/2011' is not a date (e.g. 2014-03-04)",
        "sex 'Q' is not M, F or X",
        "the school has no Year 14",
        "Disadvantaged / pupil premium 'maybe' is not yes or no",
        "KS2 reading scaled score '130' is not a scaled score from 80 to 120",
    ]
    assert not Pupil.objects.filter(upn__in=[ADA, ZOE]).exists()
    assert bytes(ImportJob.objects.get(pk=job.pk).content) == b""


def test_ks2_and_attendance_files_update_only_pupils_on_the_roll(world):
    upn = valid_upn(world.child)
    job = run(world.school, f"UPN,KS2 Reading\n{upn},112\n{ADA},100\n", kind="ks2")
    assert job.problems == [["Line 3", f"no pupil with UPN {ADA} is on the roll"]]
    job = run(world.school, f"upn,Attendance\n{upn},91.5%\n", kind="attendance")
    assert (job.status, job.updated) == (ImportStatus.COMMITTED, 1)
    world.child.refresh_from_db()
    assert float(world.child.attendance) == 91.5


def test_formulas_are_refused_not_imported(world):
    job = run(world.school, HEADER + f'{ADA},"=HYPERLINK(""http://evil"")",Ada,2011-05-01,F,11,,,,N\n')
    assert job.status == ImportStatus.REJECTED
    assert "spreadsheet formula" in job.problems[0][1]
    raw = xlsx(
        [["UPN", "Surname", "Forename", "DOB", "Sex", "Year"], [ADA, "=1+1", "Ada", "2011-05-01", "F", 11]]
    )
    job = run(world.school, raw, name="roll.xlsx")
    assert job.status == ImportStatus.REJECTED and "formula" in job.problems[0][1]


# -- hostile and broken files: a clear sentence, never a traceback -------------------------------


@pytest.mark.parametrize(
    ("raw", "name", "expected"),
    [
        (ROLL.replace("Zoë", "Zoé").encode("cp1252"), "roll.csv", "not UTF-8 text: line 3 has the byte 0xE9"),
        (b"\xef\xbb\xbf", "roll.csv", "only a byte-order mark"),
        (b"", "roll.csv", "The file is empty."),
        (b"\xef\xbb\xbf\r\n\r\n", "roll.csv", "The file is empty"),
        ("UPN,Surname\n".encode("utf-16-le"), "roll.csv", "zero bytes"),
        (HEADER.encode(), "roll.csv", "header row but no data rows"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "roll.xls", "old Excel .xls"),
        (b"PK\x03\x04garbage", "roll.xlsx", "not a readable XLSX workbook"),
        (b'UPN,"Surname\n', "roll.csv", "not valid CSV"),
    ],
    ids=[
        "cp1252",
        "bom-only",
        "empty",
        "blank-lines",
        "utf16-no-bom",
        "header-only",
        "xls",
        "garbage-xlsx",
        "csv",
    ],
)
def test_unreadable_files_are_rejected_with_a_reason(world, raw, name, expected):
    job = run(world.school, raw, name=name)
    assert job.status == ImportStatus.REJECTED
    assert expected in job.problems[0][1], job.problems


def test_a_truncated_xlsx_is_rejected(world):
    raw = xlsx([["UPN", "Surname"], [ADA, "Lamb"]])
    job = run(world.school, raw[: len(raw) // 2], name="cut.xlsx")
    assert job.status == ImportStatus.REJECTED
    assert "truncated" in job.problems[0][1]


def test_a_zip_bomb_is_refused_without_being_expanded(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    job = run(world.school, buffer.getvalue(), name="bomb.xlsx")
    assert job.status == ImportStatus.REJECTED
    assert "zip bomb" in job.problems[0][1]


def test_a_file_over_the_limit_is_refused(world, settings):
    settings.UPLIFT_IMPORT_MAX_BYTES = 100
    job = run(world.school, ROLL)
    assert job.problems == [["file", "The file is larger than the 0 MB limit."]]


def test_missing_columns_are_named(world):
    job = run(world.school, "UPN,Forename\nB801200005001,Ada\n")
    assert job.status == ImportStatus.REJECTED
    messages = [m for _w, m in job.problems]
    assert "choose the column that holds surname (the file has none named like it)" in messages
    assert "choose the column that holds date of birth (the file has none named like it)" in messages


# -- the pages ------------------------------------------------------------------------------------


def test_the_data_manager_uploads_sees_the_dry_run_and_commits(world, login):
    client = login(world.data_manager.user)
    response = client.post("/imports/new/pupils/", {"file": upload(ROLL, "roll.csv")})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Dry run: what importing would do" in page and "New pupil" in page and ADA in page
    assert not Pupil.objects.filter(upn=ADA).exists()
    client.post(f"/imports/{job.pk}/commit/")
    assert Pupil.objects.filter(upn=ADA).exists()


def test_columns_chosen_on_the_page_are_remembered_for_the_next_file(world, login):
    client = login(world.data_manager.user)
    odd = ROLL.replace("Surname", "Family name (legal)").replace("DOB", "Born")
    response = client.post("/imports/new/pupils/", {"file": upload(odd, "roll.csv")})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.pk}/columns/"
    page = client.get(response["Location"]).content.decode()
    assert "choose the column that holds surname" in page
    body = {
        "upn": "UPN",
        "legal_last_name": "Family name (legal)",
        "legal_first_name": "Forename",
        "date_of_birth": "Born",
        "gender": "Sex",
        "year": "Year",
        "form": "",  # the data manager leaves the form out
    }
    response = client.post(response["Location"], body)
    assert response["Location"] == f"/imports/{job.pk}/"
    job.refresh_from_db()
    assert (job.status, job.created) == (ImportStatus.PREVIEWED, 2)
    saved = ImportMapping.objects.get(school=world.school, kind="pupils").columns
    assert saved["legal_last_name"] == "Family name (legal)" and saved["form"] == ""
    # The next file in the same layout goes straight to its dry run, still without the form.
    client.post("/imports/new/pupils/", {"file": upload(odd, "roll2.csv")})
    latest = ImportJob.objects.latest("pk")
    assert latest.status == ImportStatus.PREVIEWED
    assert "form" not in {k for k, v in latest.mapping.items() if v}


def test_a_new_upload_replaces_an_earlier_dry_run_of_the_same_kind_and_its_kept_file(world, login):
    client = login(world.data_manager.user)
    client.post("/imports/new/pupils/", {"file": upload(ROLL, "monday.csv")})
    client.post("/imports/new/ks2/", {"file": upload("UPN,KS2 Reading\nX,1\n", "ks2.csv")})
    client.post("/imports/new/pupils/", {"file": upload(ROLL, "tuesday.csv")})
    monday = ImportJob.objects.get(file_name="monday.csv")
    assert (monday.status, bytes(monday.content)) == (ImportStatus.SUPERSEDED, b"")
    assert ImportJob.objects.get(file_name="tuesday.csv").status == ImportStatus.PREVIEWED
    assert client.post(f"/imports/{monday.pk}/commit/").status_code == 302
    assert not Pupil.objects.filter(upn=ADA).exists()


def test_a_hostile_upload_shows_its_reason_and_never_500s(world, login):
    client = login(world.data_manager.user)
    response = client.post("/imports/new/pupils/", {"file": upload(b"PK\x03\x04junk", "x.xlsx")}, follow=True)
    assert response.status_code == 200
    assert "not a readable XLSX workbook" in response.content.decode()


def test_another_schools_data_manager_cannot_open_or_map_the_job(world, other_world, login):
    job = run(world.school, ROLL, commit=False)
    client = login(other_world.data_manager.user)
    for url in (f"/imports/{job.pk}/", f"/imports/{job.pk}/columns/", f"/imports/{job.pk}/progress/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/imports/{job.pk}/commit/").status_code == 404
    assert not Pupil.objects.filter(upn=ADA).exists()


def test_an_unknown_kind_is_not_found(world, login):
    client = login(world.data_manager.user)
    assert client.get("/imports/new/ctf/").status_code == 404
    assert client.get("/imports/new/nonsense/").status_code == 404


def test_a_teacher_cannot_upload(world, login):
    client = login(world.teacher.user)
    assert client.post("/imports/new/pupils/", {"file": upload(ROLL, "roll.csv")}).status_code == 404
    assert not ImportJob.objects.exists()


def test_a_primary_sen_need_column_is_read_by_code_or_name_and_a_bad_one_is_named(world):
    header = "UPN,Surname,Forename,DOB,Sex,Year,SEN,Primary need\n"
    job = run(
        world.school,
        header
        + f"{ADA},Lamb,Ada,2011-05-01,F,11,K,semh\n"
        + f"{ZOE},Ng,Zoe,2011-03-04,M,11,E,Autistic spectrum disorder\n",
    )
    assert job.status == ImportStatus.COMMITTED, job.problems
    assert dict(Pupil.objects.filter(upn__in=[ADA, ZOE]).values_list("upn", "sen_need")) == {
        ADA: "SEMH",
        ZOE: "ASD",
    }
    bad = run(world.school, header + f"{ADA},Lamb,Ada,2011-05-01,F,11,K,Dyslexia\n")
    assert bad.status == ImportStatus.REJECTED
    assert bad.problems[0][1].startswith("SEN need 'Dyslexia' is not one of the DfE's codes (SPLD, MLD,")
    assert Pupil.objects.get(upn=ADA).sen_need == "SEMH"
