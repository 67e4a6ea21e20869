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


@shared_task(bind=True, name="tracking.mis.tasks.run_import_job", acks_late=True, ignore_result=True)
def run_import_job(self, job_id):
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    return import_job_run_queued(job_id, redelivered=redelivered)


def import_job_run_queued(job_id, *, redelivered=False):
    """Run a queued import job. Safe to run twice: only a queued job is taken, and only once, unless
    the broker delivers it again because the worker running it died (then nothing was committed, since
    the import writes in one transaction, and it runs again)."""
    statuses = [ImportStatus.QUEUED, ImportStatus.RUNNING] if redelivered else [ImportStatus.QUEUED]
    with transaction.atomic():
        taken = ImportJob.objects.filter(pk=job_id, status__in=statuses).update(status=ImportStatus.RUNNING)
    if not taken:
        return
    job = ImportJob.objects.select_related("school", "by").get(pk=job_id)
    try:
        job_run(job=job, commit=job.commit_requested)
    except Exception:
        # The job must not stay "running" for ever: it is rejected, and the failure is on the
        # failed-tasks page (tracking.lib.queue records it) for the data manager to retry or report.
        job.refresh_from_db()
        job_reject(job, [("file", "The import stopped unexpectedly; nothing was saved. Try again.")])
        job.save()
        raise
