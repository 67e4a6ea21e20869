"""The worker makes printed RAG sheets; the job row carries progress for the page that polls it.

One mentor's sheets are one task. Every mentor's sheets are split into parts of a few mentors, one
task each, so every worker shares the job; the part that finishes last joins the PDFs in order.
Tasks take primary keys and are safe to run twice.
"""

import io
import logging
import time

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from tracking.lib.queue import register_task_school, safe_enqueue
from tracking.models import Staff

from ..models import MentorAssignment, RagSheetJob, RagSheetPart, SheetJobStatus
from . import pdf

log = logging.getLogger(__name__)

MENTORS_PER_PART = 3


def mentors_with_mentees(window):
    ids = MentorAssignment.objects.filter(
        academic_year=window.academic_year, school_id=window.school_id
    ).values("mentor_id")
    return list(
        Staff.objects.filter(pk__in=ids)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def _job(job_id):
    return (
        RagSheetJob.objects.select_related("window__school", "window__academic_year", "mentor__user")
        .defer("pdf")
        .filter(pk=job_id)
        .first()
    )


def _failed(job_id, exc):
    log.exception("RAG sheets job %s failed", job_id)
    RagSheetJob.objects.filter(pk=job_id).update(status=SheetJobStatus.FAILED, error=repr(exc)[:300])


@shared_task(name="mentoring.tasks.make_rag_sheets", acks_late=True, ignore_result=True)
def make_rag_sheets(job_id):
    """Render one mentor's sheets, or split every mentor's into parts for the workers."""
    job = _job(job_id)
    if job is None or job.status == SheetJobStatus.DONE:
        return None
    mentors = [job.mentor] if job.mentor_id else mentors_with_mentees(job.window)
    if len(mentors) > MENTORS_PER_PART:
        with transaction.atomic():
            RagSheetJob.objects.filter(pk=job.pk).update(status=SheetJobStatus.RUNNING, total=len(mentors))
            for index, start in enumerate(range(0, len(mentors), MENTORS_PER_PART)):
                share = [m.pk for m in mentors[start : start + MENTORS_PER_PART]]
                part, _ = RagSheetPart.objects.get_or_create(
                    job=job, index=index, defaults={"mentor_ids": share}
                )
                if part.pdf is None:
                    safe_enqueue(make_rag_sheet_part, part.pk)
        return None
    RagSheetJob.objects.filter(pk=job.pk).update(status=SheetJobStatus.RUNNING, total=len(mentors), done=0)

    def progress(done):
        RagSheetJob.objects.filter(pk=job.pk).update(done=done)

    try:
        content, seconds = pdf.render_many(job.window, mentors, progress=progress)
    except Exception as exc:
        _failed(job.pk, exc)
        raise
    RagSheetJob.objects.filter(pk=job.pk).update(
        status=SheetJobStatus.DONE,
        pdf=content,
        seconds=seconds,
        finished_at=timezone.now(),
        done=len(mentors),
    )
    return seconds


@shared_task(name="mentoring.tasks.make_rag_sheet_part", acks_late=True, ignore_result=True)
def make_rag_sheet_part(part_id):
    """Render one part of an every-mentor job; the last part to finish joins them into the job's PDF."""
    part = RagSheetPart.objects.select_related("job").defer("pdf", "job__pdf").filter(pk=part_id).first()
    if part is None or part.job.status in (SheetJobStatus.DONE, SheetJobStatus.FAILED):
        return None
    job = _job(part.job_id)
    order = {pk: n for n, pk in enumerate(part.mentor_ids)}
    mentors = sorted(
        Staff.objects.filter(pk__in=part.mentor_ids).select_related("user"), key=lambda m: order[m.pk]
    )
    try:
        content, _ = pdf.render_many(job.window, mentors)
    except Exception as exc:
        _failed(job.pk, exc)
        raise
    with transaction.atomic():
        locked = RagSheetJob.objects.select_for_update().defer("pdf").get(pk=job.pk)
        if RagSheetPart.objects.filter(pk=part.pk, pdf__isnull=True).update(pdf=content):
            locked.done += len(mentors)
            locked.save(update_fields=["done"])
        if RagSheetPart.objects.filter(job=job, pdf__isnull=True).exists():
            return None
        merged = _join(RagSheetPart.objects.filter(job=job).order_by("index").values_list("pdf", flat=True))
        seconds = (timezone.now() - locked.requested_at).total_seconds()
        RagSheetJob.objects.filter(pk=job.pk).update(
            status=SheetJobStatus.DONE, pdf=merged, seconds=seconds, finished_at=timezone.now()
        )
        RagSheetPart.objects.filter(job=job).delete()  # the joined PDF is all that is kept
    return seconds


def _join(pdfs):
    from pypdf import PdfWriter  # noqa: PLC0415 - only the part that finishes last needs it

    started = time.perf_counter()
    writer = PdfWriter()
    for content in pdfs:
        writer.append(io.BytesIO(bytes(content)))
    out = io.BytesIO()
    writer.write(out)
    log.info("joined RAG sheet parts in %.2fs", time.perf_counter() - started)
    return out.getvalue()


@register_task_school("mentoring.tasks.make_rag_sheets")
def _job_school(args, kwargs):
    job_id = args[0] if args else kwargs.get("job_id")
    return RagSheetJob.objects.filter(pk=job_id).values_list("school_id", flat=True).first()


@register_task_school("mentoring.tasks.make_rag_sheet_part")
def _part_school(args, kwargs):
    part_id = args[0] if args else kwargs.get("part_id")
    return RagSheetPart.objects.filter(pk=part_id).values_list("job__school_id", flat=True).first()
