"""Importing a CTF: dry run first, one atomic commit, matching by UPN, every problem listed, audited."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from tests import factories as f
from tests.tracking.mis.test_ctf import PUPIL, SAMPLES, ctf
from tracking.mis.services import ctf_import
from tracking.models import AuditEvent, GuardianLink, ImportJob, ImportStatus, Pupil

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def school(world):
    f.YearGroupFactory(school=world.school, number=7)
    return world.school


def test_a_dry_run_saves_no_pupil_and_keeps_the_file_for_the_commit(school, world):
    job = ctf_import(
        school=school, raw=ctf(PUPIL), file_name="y6.xml", by=world.data_manager.user, commit=False
    )
    assert job.status == ImportStatus.PREVIEWED
    assert (job.created, job.updated, job.unchanged) == (1, 0, 0)
    assert not Pupil.objects.filter(upn="B801200005001").exists()
    assert bytes(ImportJob.objects.get(pk=job.pk).content) == ctf(PUPIL)


def test_commit_creates_the_pupil_in_year_7_with_guardians_and_audits_it(school, world):
    job = ctf_import(
        school=school, raw=ctf(PUPIL), file_name="y6.xml", by=world.data_manager.user, commit=True
    )
    assert job.status == ImportStatus.COMMITTED, job.problems
    ada = Pupil.objects.get(school=school, upn="B801200005001")
    # A primary school's Year 6 file brings next year's Year 7.
    assert ada.year_group.number == 7
    assert (ada.sen_status, ada.eal, ada.looked_after, ada.disadvantaged) == ("E", True, True, True)
    assert (ada.ks2_reading, ada.ks2_maths, ada.prior_band) == (104, 111, "middle")
    assert float(ada.attendance) == 95.0
    link = GuardianLink.objects.get(pupil=ada)
    assert (link.relationship, link.guardian.user.email) == ("Mother", "bo@example.org")
    assert not link.guardian.user.has_usable_password()
    actions = set(AuditEvent.objects.filter(pupil=ada).values_list("action", flat=True))
    assert actions == {"tracking.pupil.imported", "tracking.guardian.linked"}


def test_importing_the_same_file_again_changes_nothing(school, world):
    for _ in range(2):
        job = ctf_import(school=school, raw=ctf(PUPIL), file_name="y6.xml", by=None, commit=True)
    assert (job.created, job.updated, job.unchanged, job.guardians_created) == (0, 0, 1, 0)
    assert Pupil.objects.filter(upn="B801200005001").count() == 1
    assert GuardianLink.objects.filter(pupil__upn="B801200005001").count() == 1


def test_a_changed_record_updates_only_what_changed_with_before_and_after(school, world):
    ctf_import(school=school, raw=ctf(PUPIL), file_name="a.xml", by=None, commit=True)
    changed = PUPIL.replace("<SENprovision>E</SENprovision>", "<SENprovision>K</SENprovision>")
    job = ctf_import(school=school, raw=ctf(changed), file_name="b.xml", by=None, commit=True)
    assert (job.created, job.updated) == (0, 1)
    assert job.changes[0]["fields"] == {"Sen": ["E", "K"]}
    event = AuditEvent.objects.get(action="tracking.pupil.updated")
    assert (event.before, event.after) == ({"sen_status": "E"}, {"sen_status": "K"})


def test_one_bad_pupil_saves_nothing_and_every_problem_is_listed(school, world):
    bad = PUPIL.replace("B801200005001", "A801200005001")
    good = PUPIL.replace("B801200005001", "Z801209809069").replace("<Sex>F</Sex>", "<Sex>Q</Sex>")
    job = ctf_import(school=school, raw=ctf(bad + good), file_name="bad.xml", by=None, commit=True)
    assert job.status == ImportStatus.REJECTED
    assert [where for where, _m in job.problems] == [
        "Pupil 1 (A801200005001) › UPN",
        "Pupil 2 (Z801209809069) › Gender",
    ]
    assert not Pupil.objects.filter(upn__in=["A801200005001", "Z801209809069"]).exists()


def test_a_year_the_school_does_not_have_is_a_problem(school, world):
    year_9 = PUPIL.replace("<NCyearActual>6</NCyearActual>", "<NCyearActual>9</NCyearActual>")
    job = ctf_import(school=school, raw=ctf(year_9), file_name="y9.xml", by=None, commit=True)
    assert job.problems == [["Pupil 1 (B801200005001) › NCyearActual", "the school has no Year 9"]]


def test_another_schools_pupil_with_the_same_upn_is_not_touched(school, other_world):
    f.YearGroupFactory(school=other_world.school, number=7)
    ctf_import(school=other_world.school, raw=ctf(PUPIL), file_name="a.xml", by=None, commit=True)
    job = ctf_import(school=school, raw=ctf(PUPIL), file_name="a.xml", by=None, commit=True)
    assert job.created == 1
    assert Pupil.objects.filter(upn="B801200005001").count() == 2


def test_hostile_xml_is_rejected_as_a_recorded_job(school):
    job = ctf_import(
        school=school,
        raw=b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><CTfile>&e;</CTfile>',
        file_name="evil.xml",
        by=None,
        commit=True,
    )
    assert job.status == ImportStatus.REJECTED
    assert "DTD or entities" in job.problems[0][1]


def test_the_command_dry_runs_imports_and_exits_non_zero_on_problems(school, tmp_path):
    path = tmp_path / "y6.xml"
    path.write_bytes(ctf(PUPIL))
    out = io.StringIO()
    call_command("import_ctf", str(path), "--dry-run", "--school", school.slug, stdout=out)
    assert "Dry run, nothing saved. Would be: 1 created, 0 updated, 0 unchanged" in out.getvalue()
    assert not Pupil.objects.filter(upn="B801200005001").exists()
    out = io.StringIO()
    call_command("import_ctf", str(path), "--school", school.slug, stdout=out)
    assert "Imported: 1 created" in out.getvalue()
    with pytest.raises(CommandError, match="check letter"):
        call_command(
            "import_ctf",
            str(SAMPLES / "sims19_y7_partial.xml"),
            "--school",
            school.slug,
            stdout=io.StringIO(),
        )


def test_the_data_manager_uploads_sees_the_dry_run_and_commits(school, world, login):
    client = login(world.data_manager.user)
    upload = io.BytesIO(ctf(PUPIL))
    upload.name = "y6.xml"
    response = client.post("/imports/", {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Dry run: what importing would do" in page
    assert "New pupil" in page
    assert not Pupil.objects.filter(upn="B801200005001").exists()
    client.post(f"/imports/{job.pk}/commit/")
    assert Pupil.objects.filter(upn="B801200005001").exists()
    # Committing the same dry run twice imports once.
    client.post(f"/imports/{job.pk}/commit/")
    assert ImportJob.objects.filter(status=ImportStatus.COMMITTED).count() == 1


def test_a_broken_upload_shows_every_problem_and_never_500s(school, world, login):
    client = login(world.data_manager.user)
    upload = io.BytesIO(ctf(PUPIL)[:-30])
    upload.name = "cut.xml"
    response = client.post("/imports/", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "not well-formed XML" in response.content.decode()


def test_another_schools_data_manager_cannot_open_the_job(school, world, other_world, login):
    job = ctf_import(school=school, raw=ctf(PUPIL), file_name="y6.xml", by=None, commit=False)
    client = login(other_world.data_manager.user)
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.post(f"/imports/{job.pk}/commit/").status_code == 404
    assert not Pupil.objects.filter(upn="B801200005001").exists()


def test_the_dry_run_counts_a_parent_of_two_children_once_as_the_commit_does(school):
    sibling = PUPIL.replace("B801200005001", "Z801209809069").replace(
        "<Forename>Ada</Forename>", "<Forename>Bea</Forename>"
    )
    preview = ctf_import(school=school, raw=ctf(PUPIL + sibling), file_name="a.xml", by=None, commit=False)
    assert (preview.created, preview.guardians_created) == (2, 1)
    assert not Pupil.objects.filter(upn__in=["B801200005001", "Z801209809069"]).exists()
    done = ctf_import(school=school, raw=ctf(PUPIL + sibling), file_name="a.xml", by=None, commit=True)
    assert (done.created, done.guardians_created) == (2, 1)
    assert GuardianLink.objects.filter(pupil__upn__in=["B801200005001", "Z801209809069"]).count() == 2
