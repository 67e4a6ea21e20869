"""End to end with a real Celery worker and Redis: a run queued through tracking.lib.queue is made by
the worker, one task per pupil, then finished once."""

import pytest

from reports import services
from reports.models import ReportRun, ReportStatus, RunStatus
from tests.reports.helpers import give_grades

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_env(tmp_path):
    # The worker stores PDFs where the test reads them (conftest points MEDIA_ROOT at tmp_path/media).
    return {"UPLIFT_MEDIA_ROOT": str(tmp_path / "media")}


def test_the_worker_makes_every_pupils_report_once_and_finishes_the_run(celery_worker_process, world):
    give_grades(world)
    run = services.run_create(
        school=world.school, kind="year11", point=world.point, year_group=world.y11, by=world.slt.user
    )
    celery_worker_process.wait_for(
        lambda: ReportRun.objects.get(pk=run.pk).status == RunStatus.DONE,
        "make the run's reports",
        timeout=180,
    )
    run.refresh_from_db()
    reports = list(run.reports.all())
    assert [r.status for r in reports] == [ReportStatus.DONE] * 3
    assert [r.attempts for r in reports] == [1, 1, 1]
    assert run.zip_file and run.print_file and run.seconds > 0
    log = celery_worker_process.log()
    assert log.count("reports.tasks.render_report[") >= 3
