"""Large spreadsheets run in the Celery worker: the page shows progress (htmx polling) and the outcome;
the command line imports the same way, exiting non-zero with every problem."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.tracking.mis.test_spreadsheet_import import ADA, ROLL, ZOE, upload
from tracking.mis.jobs import job_start
from tracking.mis.kinds import spreadsheet_job
from tracking.mis.tasks import import_job_run_queued, run_import_job
from tracking.models import ImportJob, ImportStatus, Pupil


@pytest.fixture
def small_background(settings):
    settings.UPLIFT_IMPORT_BACKGROUND_ROWS = 1  # the two-pupil roll counts as large


@pytest.mark.django_db
def test_a_large_file_is_queued_shows_progress_then_its_dry_run_then_commits_in_the_worker(
    world, login, small_background, django_capture_on_commit_callbacks
):
    client = login(world.data_manager.user)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post("/imports/new/pupils/", {"file": upload(ROLL, "roll.csv")})
    job = ImportJob.objects.get()
    assert (job.status, len(queued)) == (ImportStatus.QUEUED, 1)
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="/imports/{job.pk}/progress/"' in page and "Waiting for the background worker" in page
    poll = client.get(f"/imports/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert "HX-Refresh" not in poll and 'hx-trigger="every 2s"' in poll.content.decode()
    queued[0]()  # the worker runs it (eagerly here)
    job.refresh_from_db()
    assert (job.status, job.created, job.rows_done) == (ImportStatus.PREVIEWED, 2, 2)
    poll = client.get(f"/imports/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{job.pk}/commit/")
    done = ImportJob.objects.latest("pk")
    assert response["Location"] == f"/imports/{done.pk}/"
    assert done.status == ImportStatus.COMMITTED and done.commit_requested
    assert Pupil.objects.filter(upn__in=[ADA, ZOE]).count() == 2


@pytest.mark.django_db
def test_a_queued_job_runs_once_however_often_the_task_is_delivered(world, small_background):
    job = spreadsheet_job(school=world.school, kind="pupils", raw=ROLL.encode(), file_name="r.csv", by=None)
    job_start(job=job, commit=True)
    run_import_job(job.pk)
    run_import_job(job.pk)  # delivered twice (acks_late): the second finds it done
    job.refresh_from_db()
    assert (job.status, job.created) == (ImportStatus.COMMITTED, 2)
    assert Pupil.objects.filter(upn=ADA).count() == 1


@pytest.mark.django_db
def test_a_job_that_crashes_in_the_worker_is_rejected_not_left_running(world, small_background, monkeypatch):
    job = spreadsheet_job(school=world.school, kind="pupils", raw=ROLL.encode(), file_name="r.csv", by=None)
    job_start(job=job, commit=True)

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("tracking.mis.tasks.job_run", boom)
    with pytest.raises(RuntimeError):
        run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED and "stopped unexpectedly" in job.problems[0][1]
    assert bytes(job.content) == b""


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_queued_import(celery_worker_process, world, small_background):
    job = spreadsheet_job(school=world.school, kind="pupils", raw=ROLL.encode(), file_name="r.csv", by=None)
    job_start(job=job, commit=True)  # not in a transaction: queued at once, through Redis
    celery_worker_process.wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.COMMITTED,
        "run the import",
        timeout=60,
    )
    assert Pupil.objects.filter(upn__in=[ADA, ZOE]).count() == 2


@pytest.mark.django_db
def test_the_command_dry_runs_imports_and_exits_non_zero_listing_problems(world, tmp_path):
    path = tmp_path / "roll.csv"
    path.write_text(ROLL)
    out = io.StringIO()
    call_command("import_file", "pupils", str(path), "--dry-run", "--school", world.school.slug, stdout=out)
    assert "Dry run, nothing saved. Would be: 2 created, 0 updated, 0 unchanged (2 rows)." in out.getvalue()
    assert not Pupil.objects.filter(upn=ADA).exists()
    call_command("import_file", "pupils", str(path), "--school", world.school.slug, stdout=out)
    assert Pupil.objects.filter(upn=ADA).exists()
    path.write_text(ROLL.replace(ADA, "A801200005001"))
    with pytest.raises(CommandError, match="Line 2: UPN 'A801200005001' has check letter A"):
        call_command("import_file", "pupils", str(path), "--school", world.school.slug, stdout=out)


@pytest.mark.django_db
def test_a_job_whose_worker_died_runs_again_when_the_broker_redelivers_it(world, small_background):
    job = spreadsheet_job(school=world.school, kind="pupils", raw=ROLL.encode(), file_name="r.csv", by=None)
    job_start(job=job, commit=True)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)  # the first worker died here
    run_import_job(job.pk)  # an ordinary second delivery leaves a running job alone
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING
    import_job_run_queued(job.pk, redelivered=True)
    job.refresh_from_db()
    assert (job.status, job.created) == (ImportStatus.COMMITTED, 2)
