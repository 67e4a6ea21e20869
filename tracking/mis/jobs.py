"""The life of every import, whatever its kind: read, plan, dry run, commit, record.

An importer (the CTF, or one kind of spreadsheet) reads a file, plans what it would change without
touching the database, and applies a plan. This module does the rest the same way for all of them:

- a file with any problem saves nothing; the job lists every problem with its line or element;
- the dry run does the real work and rolls it back, so its counts are exactly what the commit does;
- the file is kept from the dry run until it is committed (what is committed is what was previewed),
  then cleared;
- large spreadsheets run in the Celery worker (tracking.lib.queue), reporting rows checked as they go;
- files nobody commits are dropped after a few days, and jobs whose worker died are rejected (jobs_tidy).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracking.cycle.scheduler import Event
from tracking.lib.errors import DomainError
from tracking.lib.queue import safe_enqueue
from tracking.models import IMPORT_IN_PROGRESS, ImportJob, ImportStatus

PROGRESS_EVERY = 500  # rows between progress writes of a background job

IMPORTERS = {}  # kind -> importer


def register(importer):
    IMPORTERS[importer.kind] = importer
    return importer


def importer_for(kind):
    return IMPORTERS[kind]


class ImportFileError(DomainError):
    """The file as a whole cannot be read: the job is rejected with this message, or these problems."""

    def __init__(self, message, problems=None):
        super().__init__("file_rejected", message)
        self.problems = problems or [("file", message)]


@dataclass
class Plan:
    """What an import would do: counts for the page, problems (any one saves nothing), and the
    importer's own list of writes."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list = field(default_factory=list)  # (where, message)
    notes: list = field(default_factory=list)  # rows read but kept out, said out loud
    changes: list = field(default_factory=list)  # {"key", "name", "action", "fields"} for the page
    work: object = None  # the importer's own


class Importer:
    """One kind of import. Subclasses set `kind` and implement read, plan and apply."""

    kind = ""
    columns = ()  # spreadsheet importers: the fields a file's columns map to
    options = {}  # {name: (label, help)}: choices the data manager makes for one file
    key_label = "UPN"
    noun = "pupils"  # what the counts count, for the page
    new_label = "New pupil"
    background = True  # large files run in the worker

    def read(self, raw, job):
        raise NotImplementedError

    def plan(self, school, parsed, job, progress, today):
        raise NotImplementedError

    def apply(self, school, plan, by, job):
        raise NotImplementedError

    def rows(self, parsed):
        return 0


def max_bytes():
    return settings.UPLIFT_IMPORT_MAX_BYTES


def job_reject(job, problems):
    job.status, job.content = ImportStatus.REJECTED, b""
    job.problems = [list(p) for p in problems]


def job_run(*, job, commit, today=None):
    """Run an import job from its kept file: reject it, preview it, or commit it. Saves and returns it."""
    importer = importer_for(job.kind)
    raw = bytes(job.content)
    try:
        parsed = importer.read(raw, job)
    except ImportFileError as error:
        job_reject(job, error.problems)
        job.save()
        return job
    job.rows_total = importer.rows(parsed)

    def progress(done):
        if job.pk and job.status == ImportStatus.RUNNING and done % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(rows_done=done)

    plan = importer.plan(job.school, parsed, job, progress, today or timezone.localdate())
    job.rows_done = job.rows_total
    job.problems = [list(p) for p in plan.problems]
    job.notes = plan.notes
    job.changes = plan.changes
    job.created, job.updated, job.unchanged = plan.created, plan.updated, plan.unchanged
    if plan.problems:
        job_reject(job, plan.problems)
    elif not commit:
        with transaction.atomic():
            importer.apply(job.school, plan, job.by, job)
            transaction.set_rollback(True)
        job.status = ImportStatus.PREVIEWED
    else:
        with transaction.atomic():
            importer.apply(job.school, plan, job.by, job)
            job.status, job.committed_at, job.content = ImportStatus.COMMITTED, timezone.now(), b""
            job.save()
        return job
    job.save()
    return job


def jobs_supersede_pending(*, school, kind, keep):
    """A new upload replaces the school's earlier uploads of the same kind still waiting for their
    columns or their commit: their files (personal data) are not kept once nobody will commit them."""
    ImportJob.objects.filter(
        school=school, kind=kind, status__in=(ImportStatus.MAPPING, ImportStatus.PREVIEWED)
    ).exclude(pk=keep.pk).update(status=ImportStatus.SUPERSEDED, content=b"")


STOPPED = (
    "The import stopped before it finished (the worker running it may have restarted); nothing was "
    "saved. Upload the file again."
)
NOT_COMMITTED = "Not committed within {days} days, so the uploaded file was not kept. Upload it again."


def jobs_tidy(*, now):
    """Uploads nobody committed lose their file after UPLIFT_IMPORT_KEEP_DAYS; background jobs queued or
    running for longer than UPLIFT_IMPORT_TIMEOUT_MINUTES have stopped and are rejected. Returns
    (dropped, stopped). A job that later wakes finds itself no longer queued and does nothing."""
    days = settings.UPLIFT_IMPORT_KEEP_DAYS
    kept_until = now - timedelta(days=days)
    dropped = ImportJob.objects.filter(
        status__in=(ImportStatus.MAPPING, ImportStatus.PREVIEWED), created_at__lt=kept_until
    ).update(status=ImportStatus.SUPERSEDED, content=b"", notes=[["file", NOT_COMMITTED.format(days=days)]])
    stopped = ImportJob.objects.filter(
        status__in=IMPORT_IN_PROGRESS,
        created_at__lt=now - timedelta(minutes=settings.UPLIFT_IMPORT_TIMEOUT_MINUTES),
    ).update(status=ImportStatus.REJECTED, content=b"", problems=[["file", STOPPED]])
    return dropped, stopped


def tidy_events(now):
    """Tidy the imports once an hour, for the scheduler."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return [Event(key=f"imports-tidy:{hour:%Y-%m-%dT%H}", due_at=hour, run=_tidy_note)]


def _tidy_note(now):
    dropped, stopped = jobs_tidy(now=now)
    return f"{dropped} uploads dropped, {stopped} stopped jobs rejected"


def runs_in_background(job):
    importer = importer_for(job.kind)
    return importer.background and job.rows_total > settings.UPLIFT_IMPORT_BACKGROUND_ROWS


def job_start(*, job, commit):
    """Run a saved job now, or queue it for the worker when it is large. Returns the job."""
    if runs_in_background(job):
        job.status, job.commit_requested, job.rows_done = ImportStatus.QUEUED, commit, 0
        job.save()
        from tracking.mis.tasks import run_import_job  # noqa: PLC0415 - tasks import this module

        safe_enqueue(run_import_job, job.pk)
        return job
    return job_run(job=job, commit=commit)


def job_commit(*, job, by):
    """Commit a previewed job: the kept file is read again, so changes since the preview are respected.

    Committing the same dry run twice imports once (the second finds it superseded)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.PREVIEWED:
            return job
        done = ImportJob(
            school=job.school,
            kind=job.kind,
            file_name=job.file_name,
            by=by,
            content=bytes(job.content),
            mapping=job.mapping,
            options=job.options,
            rows_total=job.rows_total,
            status=ImportStatus.RUNNING,
        )
        job.status, job.content = ImportStatus.SUPERSEDED, b""
        job.save(update_fields=["status", "content"])
        if runs_in_background(done):
            return job_start(job=done, commit=True)
        return job_run(job=done, commit=True)
