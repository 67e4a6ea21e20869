"""The worker makes printed RAG sheets; the job row carries progress for the page that polls it."""

import logging

from celery import shared_task
from django.utils import timezone

from tracking.lib.queue import register_task_school
from tracking.models import Staff

from ..models import MentorAssignment, RagSheetJob, SheetJobStatus
from . import pdf

log = logging.getLogger(__name__)


def mentors_with_mentees(window):
    ids = MentorAssignment.objects.filter(
        academic_year=window.academic_year, school_id=window.school_id
    ).values("mentor_id")
    return list(
        Staff.objects.filter(pk__in=ids)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


@shared_task(name="mentoring.tasks.make_rag_sheets", acks_late=True, ignore_result=True)
def make_rag_sheets(job_id):
    """Render a job's sheets and store the PDF on the job; safe to run twice (a finished job is left)."""
    job = (
        RagSheetJob.objects.select_related("window__school", "window__academic_year", "mentor__user")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.status == SheetJobStatus.DONE:
        return None
    mentors = [job.mentor] if job.mentor_id else mentors_with_mentees(job.window)
    RagSheetJob.objects.filter(pk=job.pk).update(status=SheetJobStatus.RUNNING, total=len(mentors), done=0)

    def progress(done):
        RagSheetJob.objects.filter(pk=job.pk).update(done=done)

    try:
        content, seconds = pdf.render_many(job.window, mentors, progress=progress)
    except Exception as exc:
        log.exception("RAG sheets job %s failed", job_id)
        RagSheetJob.objects.filter(pk=job.pk).update(status=SheetJobStatus.FAILED, error=repr(exc)[:300])
        raise
    RagSheetJob.objects.filter(pk=job.pk).update(
        status=SheetJobStatus.DONE,
        pdf=content,
        seconds=seconds,
        finished_at=timezone.now(),
        done=len(mentors),
    )
    return seconds


@register_task_school("mentoring.tasks.make_rag_sheets")
def _job_school(args, kwargs):
    job_id = args[0] if args else kwargs.get("job_id")
    return RagSheetJob.objects.filter(pk=job_id).values_list("school_id", flat=True).first()
