"""Celery adapter for imports: large files run here, in the worker, reporting progress on their job."""

from celery import shared_task
from django.db import transaction

from tracking.lib.queue import register_task_school
from tracking.mis import kinds  # noqa: F401 - registers every importer in the worker
from tracking.mis.jobs import job_reject, job_run
from tracking.models import ImportJob, ImportStatus


@register_task_school("tracking.mis.tasks.run_import_job")
def _job_school(args, kwargs):
    job_id = args[0] if args else kwargs.get("job_id")
    return ImportJob.objects.filter(pk=job_id).values_list("school_id", flat=True).first()


@shared_task(name="tracking.mis.tasks.run_import_job", acks_late=True, ignore_result=True)
def run_import_job(job_id):
    """Run a queued import job. Safe to run twice: only a queued job is taken, and only once."""
    with transaction.atomic():
        taken = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.RUNNING
        )
    if not taken:
        return
    job = ImportJob.objects.select_related("school", "by").get(pk=job_id)
    try:
        job_run(job=job, commit=job.commit_requested)
    except Exception:
        # The job must not stay "running" for ever: it is rejected, and the failure is on the
        # failed-tasks page (tracking.lib.queue records it) for the data manager to retry or report.
        job.refresh_from_db()
        job_reject(
            job, [("file", "The import stopped unexpectedly; nothing was saved. Try again, or report it.")]
        )
        job.save()
        raise
