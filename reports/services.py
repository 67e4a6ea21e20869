"""Every write of the reports app: layouts, comments, runs, each pupil's PDF, publishing, downloads.

A run renders each pupil in its own task (so a failure is one pupil's, listed with its reason), then
one finishing task writes the ZIP and the print PDF. Each step is safe to run twice: a report already
made is never made again, so a worker killed mid-batch never produces a report twice.
"""

import io
import logging
import time
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tracking import audit
from tracking.lib.errors import DomainError
from tracking.lib.queue import safe_enqueue
from tracking.models import AcademicYear, AssessmentPoint, FormGroup, Pupil
from tracking.school.queries import year_groups_in_use

from . import data, pdf
from .models import (
    Field,
    Kind,
    PupilReport,
    ReportComment,
    ReportLayout,
    ReportRun,
    ReportStatus,
    RunStatus,
    report_storage,
)

log = logging.getLogger(__name__)


def layout_save(*, school, kind, fields, by):
    """The data manager chooses the fields a kind of report shows."""
    if kind not in Kind.values:
        raise DomainError("unknown_kind", "Choose a kind of report.")
    unknown = set(fields) - set(Field.values)
    if unknown:
        raise DomainError("unknown_field", f"Unknown fields: {', '.join(sorted(unknown))}.")
    if not fields:
        raise DomainError("no_fields", "A report needs at least one field.")
    with transaction.atomic():
        layout, _ = ReportLayout.objects.select_for_update().get_or_create(school=school, kind=kind)
        before = list(layout.fields)
        layout.fields = [f for f in Field.values if f in set(fields)]
        layout.save(update_fields=["fields"])
        audit.record(
            action="reports.layout.changed",
            obj=layout,
            by=by,
            before={"fields": before},
            after={"fields": layout.fields},
        )
    return layout


def comment_save(*, pupil, point, role, text, by):
    """A tutor's or mentor's comment for a pupil's report at a point (empty text removes it)."""
    text = (text or "").strip()
    if len(text) > 1200:
        raise DomainError("too_long", "Keep the comment under 1,200 characters.")
    with transaction.atomic():
        existing = (
            ReportComment.objects.select_for_update().filter(pupil=pupil, point=point, role=role).first()
        )
        before = {"text": existing.text} if existing else {}
        if not text:
            if existing:
                audit.record(
                    action="reports.comment.removed", obj=existing, by=by, before=before, pupil=pupil
                )
                existing.delete()
            return None
        comment = existing or ReportComment(school=pupil.school, pupil=pupil, point=point, role=role)
        comment.text, comment.by = text, by
        comment.save()
        audit.record(
            action="reports.comment.saved",
            obj=comment,
            by=by,
            before=before,
            after={"text": text},
            pupil=pupil,
        )
    return comment


def point_fits(point, year_group):
    """A run reports a year group's grades from this year, or (e.g. an end-of-year report issued after
    the summer) the same pupils' grades from last year, when they were one year group lower."""
    year = point.academic_year
    if year.is_current:
        return point.year_group_id == year_group.pk
    current = AcademicYear.objects.filter(school_id=year.school_id, is_current=True).first()
    last = (
        AcademicYear.objects.filter(school_id=year.school_id, starts_on__lt=current.starts_on)
        .order_by("-starts_on")
        .first()
        if current
        else None
    )
    return last is not None and last.pk == year.pk and point.year_group.number == year_group.number - 1


def _pupils_for(run):
    pupils = Pupil.objects.filter(school=run.school, year_group=run.year_group, is_active=True)
    if run.form_id:
        pupils = pupils.filter(form=run.form)
    return pupils


def run_create(*, school, kind, point, year_group, form=None, by, replaces=None):
    """Start a report run: one PupilReport per pupil in scope, each rendered by its own task."""
    if kind not in Kind.values:
        raise DomainError("unknown_kind", "Choose a kind of report.")
    if point.school_id != school.pk or year_group.school_id != school.pk:
        raise DomainError("wrong_school", "Choose a point and a year group of your school.")
    if not point_fits(point, year_group):
        raise DomainError(
            "wrong_point", f"{point} is not an assessment point of {year_group} this year or last year."
        )
    if form is not None and form.year_group_id != year_group.pk:
        raise DomainError("wrong_form", f"Form {form} is not in {year_group}.")
    with transaction.atomic():
        version = 1
        if replaces is not None:
            replaces = ReportRun.objects.select_for_update().get(pk=replaces.pk)
            if ReportRun.objects.filter(replaces=replaces).exists():
                raise DomainError("already_replaced", "This run has a newer version: regenerate that one.")
            version = replaces.version + 1
        run = ReportRun.objects.create(
            school=school,
            kind=kind,
            point=point,
            year_group=year_group,
            form=form,
            fields=data.layout_fields(school, kind),
            version=version,
            replaces=replaces,
            created_by=by,
        )
        pupils = list(_pupils_for(run).values_list("pk", flat=True))
        if not pupils:
            raise DomainError("no_pupils", f"There are no pupils in {run.scope_name}.")
        PupilReport.objects.bulk_create(PupilReport(school=school, run=run, pupil_id=pk) for pk in pupils)
        run.total = len(pupils)
        run.save(update_fields=["total"])
        audit.record(
            action="reports.run.started",
            obj=run,
            by=by,
            after={
                "kind": kind,
                "point": point.name,
                "scope": run.scope_name,
                "pupils": run.total,
                "version": version,
            },
        )
        for pk in PupilReport.objects.filter(run=run).values_list("pk", flat=True):
            safe_enqueue("reports.tasks.render_report", pk)
    return run


def _reason(exc):
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


def report_render(*, report_id):
    """Make one pupil's report: freeze its data, render the PDF, store both. Safe to run twice.

    The PDF is rendered outside any transaction (no row lock held while WeasyPrint works); the result is
    kept only if, under the row's lock, the report is still waiting: a redelivered task after a worker
    died, or two deliveries at once, never make a report twice.
    """
    report = _reports().filter(pk=report_id).first()
    if report is None or report.status != ReportStatus.PENDING:
        return report  # already made or failed (e.g. a redelivered task after a worker died)
    return _make([report])[0]


def reports_render(report_ids, *, processes=1):
    """report_render for many reports at once, the PDFs laid out in up to `processes` processes side by
    side (WeasyPrint is single-threaded work: about half a second of one core per report). For a batch
    made in one go, such as the demo's; a run's reports are each their own task on the workers."""
    waiting = _reports().filter(pk__in=report_ids, status=ReportStatus.PENDING).order_by("pk")
    _make(list(waiting), processes=processes)


def _reports():
    return PupilReport.objects.select_related(
        "run__point__year_group", "run__point__academic_year", "run__point__half_term", "run__school"
    )


def _make(reports, processes=1):
    """Freeze each waiting report's data, lay out the PDFs (side by side with `processes` > 1) and keep
    each under its row's lock. The reports as kept."""
    frozen = [_freeze(report) for report in reports]
    ready = [snapshot for snapshot, error in frozen if error is None]
    rendered = iter(pdf.render_many(ready, processes=processes))
    kept = []
    for report, (snapshot, error) in zip(reports, frozen, strict=True):
        content = pages = None
        if error is None:
            content, pages, failure = next(rendered)
            if failure is not None:  # one pupil's failure is listed with its reason, never the batch's
                log.error("report %s for pupil %s failed", report.pk, report.pupil_id, exc_info=failure)
                error = _reason(failure)
        kept.append(_keep(report, snapshot, content, pages, error))
    return kept


def _freeze(report):
    """(the report's frozen data, None), or (None, the reason it could not be built)."""
    run = report.run
    try:
        pupil = Pupil.objects.select_related("school", "year_group", "form").get(pk=report.pupil_id)
        return data.build(pupil, run.point, kind=run.kind, fields=run.fields), None
    except Exception as exc:  # one pupil's failure is listed with its reason, never the batch's
        log.exception("report %s for pupil %s failed", report.pk, report.pupil_id)
        return None, _reason(exc)


def _keep(report, frozen, content, pages, error):
    """Store a rendered report (or its failure) if it is still waiting, under the row's lock."""
    run, report_id = report.run, report.pk
    with transaction.atomic():
        report = PupilReport.objects.select_for_update().get(pk=report_id)
        if report.status != ReportStatus.PENDING:
            return report  # another delivery of this task got there first
        report.attempts += 1
        if error is not None:
            report.status, report.error = ReportStatus.FAILED, error
            report.save(update_fields=["status", "error", "attempts"])
        else:
            name = f"run-{run.pk}/report-{report.pk}.pdf"
            if report_storage().exists(name):
                report_storage().delete(name)
            report.pdf.save(name, ContentFile(content), save=False)
            report.data, report.pages = frozen, pages
            report.status, report.error, report.made_at = ReportStatus.DONE, "", timezone.now()
            report.save(update_fields=["pdf", "data", "pages", "status", "error", "made_at", "attempts"])
    # Checked after commit, so two pupils finishing together both see the other done; finishing twice is
    # harmless (run_finish locks the run and does nothing once it is done).
    if not PupilReport.objects.filter(run_id=run.pk, status=ReportStatus.PENDING).exists():
        safe_enqueue("reports.tasks.finish_run", run.pk)
    return report


def progress(run):
    """{done, failed, pending, total, percent} for a run's progress bar (one query)."""
    counts = PupilReport.objects.filter(run=run).aggregate(
        done=Count("pk", filter=Q(status=ReportStatus.DONE)),
        failed=Count("pk", filter=Q(status=ReportStatus.FAILED)),
        pending=Count("pk", filter=Q(status=ReportStatus.PENDING)),
    )
    total = run.total or 1
    counts["total"] = run.total
    counts["percent"] = round(100 * (counts["done"] + counts["failed"]) / total)
    return counts


def run_finish(*, run_id):
    """When every pupil is made or failed: one ZIP of the PDFs and one print PDF, written whole.

    The files are built outside any transaction (no lock held while 300 PDFs are zipped and merged),
    under names of their own; the run takes them only if, under its lock, it is still unfinished and
    its reports are as they were. Safe to run twice.
    """
    run = ReportRun.objects.select_related("point").filter(pk=run_id).first()
    if run is None or run.status == RunStatus.DONE:
        return run
    if PupilReport.objects.filter(run=run, status=ReportStatus.PENDING).exists():
        return run  # another pupil is still being made; its task finishes the run
    reports = list(
        PupilReport.objects.filter(run=run)
        .select_related("pupil")
        .order_by("pupil__legal_last_name", "pupil__legal_first_name", "pk")
    )
    made = [r for r in reports if r.status == ReportStatus.DONE]
    failed = [r for r in reports if r.status == ReportStatus.FAILED]
    buffer = io.BytesIO()
    contents = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        used = set()
        for report in made:
            with report.pdf.open("rb") as handle:
                content = handle.read()
            contents.append(content)
            name = report.file_name
            if name in used:
                name = name.replace(".pdf", f"-{report.pupil_id}.pdf")
            used.add(name)
            archive.writestr(name, content)
        if failed:
            lines = [f"{r.pupil.full_name} ({r.pupil.upn}): {r.error}" for r in failed]
            archive.writestr("not-made.txt", "Reports that could not be made:\n" + "\n".join(lines) + "\n")
    files = {"zip_file": buffer.getvalue(), "print_file": pdf.merge(contents) if contents else b""}
    state = sorted((r.pk, r.status) for r in reports)
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().select_related("point").get(pk=run_id)
        now = sorted(PupilReport.objects.filter(run=run).values_list("pk", "status"))
        if run.status == RunStatus.DONE or now != state:
            return run  # finished by another delivery, or a retry changed the reports: its task finishes
        base = f"run-{run.pk}/{_slug(run)}"
        for attr, suffix in (("zip_file", ".zip"), ("print_file", "-print.pdf")):
            field, content = getattr(run, attr), files[attr]
            if field.name:
                field.storage.delete(field.name)
            if content:
                field.save(f"{base}{suffix}", ContentFile(content), save=False)
            else:
                field.name = ""
        run.status, run.finished_at = RunStatus.DONE, timezone.now()
        run.seconds = (run.finished_at - run.created_at).total_seconds()
        run.save(update_fields=["status", "finished_at", "seconds", "zip_file", "print_file"])
    return run


def _slug(run):
    return f"{run.get_kind_display()}-{run.scope_name}-{run.point.name}-v{run.version}".lower().replace(
        " ", "-"
    )


def run_retry_failed(*, run, by):
    """Make the failed pupils' reports again (the ZIP is rebuilt when they are done)."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run.pk)
        if run.published_at is not None:
            raise DomainError("published", "This run is published: regenerate it as a new version instead.")
        failed = list(
            PupilReport.objects.filter(run=run, status=ReportStatus.FAILED).values_list("pk", flat=True)
        )
        if not failed:
            raise DomainError("nothing_failed", "No report in this run failed.")
        PupilReport.objects.filter(pk__in=failed).update(status=ReportStatus.PENDING, error="")
        run.status, run.finished_at = RunStatus.RUNNING, None
        run.save(update_fields=["status", "finished_at"])
        audit.record(action="reports.run.retried", obj=run, by=by, after={"pupils": len(failed)})
        for pk in failed:
            safe_enqueue("reports.tasks.render_report", pk)
    return len(failed)


def run_regenerate(*, run, by):
    """A new version of a run from today's data; families keep the old one until the new is published."""
    return run_create(
        school=run.school,
        kind=run.kind,
        point=run.point,
        year_group=run.year_group,
        form=run.form,
        by=by,
        replaces=run,
    )


def run_publish(*, run, by, notify=True):
    """Families may download the run's reports; they are told by email (through the worker) unless
    `notify` is False (the demo school)."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.DONE:
            raise DomainError("not_finished", "Wait until every report is made before publishing.")
        if run.published_at is not None:
            raise DomainError("already_published", "This run is already published.")
        if ReportRun.objects.filter(replaces=run).exists():
            raise DomainError("replaced", "A newer version of this run exists: publish that one.")
        if not PupilReport.objects.filter(run=run, status=ReportStatus.DONE).exists():
            raise DomainError("nothing_made", "No report in this run was made.")
        run.published_at, run.published_by = timezone.now(), by
        run.save(update_fields=["published_at", "published_by"])
        audit.record(action="reports.run.published", obj=run, by=by, after={"version": run.version})
        if notify:
            safe_enqueue("reports.tasks.email_families", run.pk)
    return run


def report_downloaded(*, report, by):
    """Every download of a stored report is in the audit log."""
    audit.record(
        action="reports.report.downloaded",
        obj=report,
        by=by,
        pupil=report.pupil,
        after={"run": report.run_id},
    )


def point_choices(school, year_group):
    return AssessmentPoint.objects.filter(
        school=school, year_group=year_group, academic_year__is_current=True
    ).order_by("sequence")


def scope_choices(school):
    years = year_groups_in_use([school.pk])
    forms = FormGroup.objects.filter(school=school, academic_year__is_current=True).select_related(
        "year_group"
    )
    return years, forms


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start
