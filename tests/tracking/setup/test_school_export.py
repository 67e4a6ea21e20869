"""The whole-school export: one ZIP of CSVs named as the imports read them, this school's records only,
anonymised leavers left out, spreadsheet formulas neutralised, audited, and importable as it is."""

import csv
import io
import zipfile

import pytest

from tests import factories as f
from tracking.lib.upn import make_upn
from tracking.mis.kinds import spreadsheet_import
from tracking.models import AuditEvent, ImportStatus, Pupil

pytestmark = pytest.mark.django_db


def _export(client):
    response = client.post("/setup/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip" and response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def school(world):
    for serial, pupil in enumerate((world.child, world.classmate, world.other_child), start=1):
        pupil.upn = make_upn(801, 2000, 14, serial)
        pupil.save(update_fields=["upn"])
    return world


def test_the_export_holds_every_kind_of_record_for_this_school_only_and_is_audited(school, login):
    w = school
    w.child.legal_last_name = '=HYPERLINK("http://evil.example")'
    w.child.save(update_fields=["legal_last_name"])
    f.GradeEntryFactory(pupil=w.classmate, subject=w.maths, point=w.point, school=w.school)
    other = f.SchoolFactory(name="Elsewhere", slug="elsewhere")
    stranger = f.PupilFactory(school=other, legal_last_name="Stranger")
    gone = f.PupilFactory(school=w.school, year_group=w.y11, legal_last_name="Anonymised")
    Pupil.objects.filter(pk=gone.pk).update(anonymised_at="2026-01-01T00:00Z")
    files = _export(login(w.data_manager.user))
    assert set(files) == {
        "README.txt", "subjects.csv", "points.csv", "pupils.csv", "staff.csv", "guardians.csv",
        "groups.csv", "grades.csv", "targets.csv",
    }  # fmt: skip
    pupils = _rows(files["pupils.csv"])
    upns = {row["UPN"] for row in pupils}
    assert upns == {w.child.upn, w.classmate.upn, w.other_child.upn}
    assert stranger.upn not in files["pupils.csv"] and "Anonymised" not in files["pupils.csv"]
    ada = next(row for row in pupils if row["UPN"] == w.child.upn)
    assert ada["Surname"].startswith("'=")  # a spreadsheet shows it as text, never runs it
    assert {row["Staff code"] for row in _rows(files["staff.csv"])} == set(
        w.school.staff.values_list("code", flat=True)
    )
    hod = next(row for row in _rows(files["staff.csv"]) if "Head of department" in row["Roles"])
    assert "Mathematics" in hod["Roles"]
    groups = _rows(files["groups.csv"])
    assert {(r["Class"], r["UPN"]) for r in groups if r["Class"] == "11Ma1"} >= {("11Ma1", w.child.upn)}
    grades = _rows(files["grades.csv"])
    assert any(r["UPN"] == w.classmate.upn and r["Subject code"] == "MA" for r in grades)
    event = AuditEvent.objects.get(action="tracking.school.exported")
    assert event.school == w.school and event.by == w.data_manager.user and event.after["pupils"] == 3


def test_the_exported_pupils_and_staff_import_back_unchanged(school, login):
    w = school
    for n, member in enumerate(w.school.staff.all()):
        member.code = f"S{n:02d}"
        member.save(update_fields=["code"])
        member.user.email = member.user.email.lower()  # as an import stores it
        member.user.save(update_fields=["email"])
    files = _export(login(w.data_manager.user))
    for kind in ("pupils", "staff"):
        job = spreadsheet_import(
            school=w.school, kind=kind, raw=files[f"{kind}.csv"].encode(), file_name=f"{kind}.csv",
            by=None, commit=False,
        )  # fmt: skip
        assert job.status == ImportStatus.PREVIEWED, job.problems
        assert (job.created, job.updated) == (0, 0), job.changes


def test_only_the_data_manager_exports_and_a_get_changes_nothing(school, login):
    assert login(school.teacher.user).post("/setup/export/").status_code == 404
    assert login(school.slt.user).get("/setup/export/").status_code == 404
    page = login(school.data_manager.user).get("/setup/export/").content.decode()
    assert "grades.csv" in page
    assert not AuditEvent.objects.filter(action="tracking.school.exported").exists()
