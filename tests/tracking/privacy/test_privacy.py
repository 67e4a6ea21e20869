"""Subject access exports hold every record about a pupil; retention removes what identifies old leavers."""

import datetime
import io
import json
import subprocess
import zipfile

import pytest
from django.core.management import call_command

from tests import factories as f
from tracking.models import AuditEvent, CurricularTarget, GradeEntry, Guardian, GuardianLink, Pupil
from tracking.privacy.retention import retention_events, retention_run

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)


def test_the_data_manager_downloads_every_record_about_a_pupil_and_it_is_audited(world, login):
    f.GradeEntryFactory(pupil=world.child, subject=world.maths, point=world.point, comment="Works hard")
    client = login(world.data_manager.user)
    page = client.get(f"/pupils/{world.child.pk}/subject-access/")
    assert page.status_code == 200
    response = client.post(f"/pupils/{world.child.pk}/subject-access/")
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"README.txt", "pupil.json", "summary.pdf", "records/tracking.gradeentry.json"} <= names
    assert "records/mentoring.mentorassignment.json" in names
    pupil = json.loads(archive.read("pupil.json"))
    assert pupil["fields"]["upn"] == world.child.upn
    assert [g["name"] for g in pupil["guardians"]] == [world.parent.user.get_full_name()]
    grades = json.loads(archive.read("records/tracking.gradeentry.json"))
    assert grades[0]["fields"]["comment"] == "Works hard"
    # Nobody else's records travel in the export.
    assert all(row["fields"]["pupil"] == world.child.pk for row in grades)
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=archive.read("summary.pdf"), capture_output=True, check=True
    ).stdout.decode()
    assert f"Records held about {world.child.full_name}" in text
    assert world.child.upn in text
    assert (
        AuditEvent.objects.filter(action="tracking.pupil.subject_access_export", pupil=world.child).count()
        == 1
    )


@pytest.mark.parametrize("persona", ["teacher", "tutor", "slt", "senco", "parent"])
def test_nobody_but_the_data_manager_makes_a_subject_access_export(world, login, persona):
    client = login(getattr(world, persona).user)
    assert client.get(f"/pupils/{world.child.pk}/subject-access/").status_code == 404
    assert client.post(f"/pupils/{world.child.pk}/subject-access/").status_code == 404


def test_another_schools_pupil_is_not_found(world, other_world, login):
    client = login(world.data_manager.user)
    assert client.post(f"/pupils/{other_world.child.pk}/subject-access/").status_code == 404


def _leaver(world, left_on):
    pupil = world.child
    pupil.is_active, pupil.left_on = False, left_on
    pupil.save()
    f.GradeEntryFactory(pupil=pupil, subject=world.maths, point=world.point, comment="Lovely essay")
    CurricularTarget.objects.create(
        school=world.school, pupil=pupil, subject=world.maths, text="Show working", review_on=TODAY
    )
    return pupil


def test_without_a_retention_period_nothing_is_removed(world):
    _leaver(world, datetime.date(2000, 7, 20))
    result = retention_run(school=world.school, today=TODAY)
    assert "no retention period is set" in result.message
    assert Pupil.objects.get(pk=world.child.pk).anonymised_at is None


def test_a_leaver_past_the_period_loses_name_upn_birthday_comments_and_parents(world):
    world.school.retention_years = 6
    world.school.save()
    pupil = _leaver(world, datetime.date(2020, 7, 20))
    recent = world.classmate
    recent.is_active, recent.left_on = False, datetime.date(2021, 7, 20)
    recent.save()
    dry = retention_run(school=world.school, dry_run=True, today=TODAY)
    assert [pk for pk, _n, _l in dry.pupils] == [pupil.pk]
    assert Pupil.objects.get(pk=pupil.pk).anonymised_at is None

    retention_run(school=world.school, today=TODAY)
    pupil.refresh_from_db()
    assert (pupil.full_name, pupil.upn) == ("Former pupil", f"ANON{pupil.pk:09d}")
    assert (pupil.date_of_birth.month, pupil.date_of_birth.day) == (1, 1)
    assert pupil.anonymised_at is not None
    assert GradeEntry.objects.get(pupil=pupil).comment == ""  # the grade stays for cohort history
    assert not CurricularTarget.objects.filter(pupil=pupil).exists()
    assert not GuardianLink.objects.filter(pupil=pupil).exists()
    assert not Guardian.objects.filter(pk=world.parent.pk).exists()  # no other child at the school
    assert AuditEvent.objects.filter(action="tracking.pupil.anonymised", pupil=pupil).count() == 1
    # The leaver of five years ago is kept, and a second run changes nothing.
    assert Pupil.objects.get(pk=recent.pk).anonymised_at is None
    assert retention_run(school=world.school, today=TODAY).pupils == []


def test_the_command_dry_runs_and_the_scheduler_offers_a_daily_run(world):
    world.school.retention_years = 6
    world.school.save()
    _leaver(world, datetime.date(2019, 7, 20))
    out = io.StringIO()
    call_command("retention", "--dry-run", "--today", "2026-11-30", stdout=out)
    assert "1 leaver(s) who left over 6 years ago would be anonymised" in out.getvalue()
    assert Pupil.objects.get(pk=world.child.pk).anonymised_at is None
    now = datetime.datetime(2026, 11, 30, 3, 0, tzinfo=datetime.UTC)
    events = [e for e in retention_events(now) if e.key.startswith(f"retention:{world.school.pk}:")]
    assert len(events) == 1
    events[0].run(now)
    assert Pupil.objects.get(pk=world.child.pk).anonymised_at is not None
