"""Celery adapters for report runs: they take primary keys and call reports.services."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import OperationalError

from tracking.lib import links, queue

from . import services
from .models import PupilReport, ReportRun, ReportStatus


@queue.register_task_school("reports.tasks.render_report")
def _report_school(args, kwargs):
    pk = args[0] if args else kwargs.get("report_id")
    return PupilReport.objects.filter(pk=pk).values_list("school_id", flat=True).first()


@queue.register_task_school("reports.tasks.finish_run")
@queue.register_task_school("reports.tasks.email_families")
def _run_school(args, kwargs):
    pk = args[0] if args else kwargs.get("run_id")
    return ReportRun.objects.filter(pk=pk).values_list("school_id", flat=True).first()


# A busy database (SQLite refuses a second writer at once; PostgreSQL may drop a connection) is worth
# another try: the report is still waiting, so trying again makes it once.
DATABASE_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 2,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="reports.tasks.render_report", ignore_result=True, **DATABASE_RETRY)
def render_report(report_id):
    services.report_render(report_id=report_id)


@shared_task(name="reports.tasks.finish_run", ignore_result=True, **DATABASE_RETRY)
def finish_run(run_id):
    services.run_finish(run_id=run_id)


@shared_task(
    name="reports.tasks.email_families",
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def email_families(run_id):
    """Tell each family with a report in a published run that it is ready (each address once)."""
    run = (
        ReportRun.objects.select_related("school", "point")
        .filter(pk=run_id, published_at__isnull=False)
        .first()
    )
    if run is None:
        return 0
    reports = PupilReport.objects.filter(run=run, status=ReportStatus.DONE).select_related("pupil")
    sent = set()
    for report in reports:
        for guardian in report.pupil.guardians.select_related("user"):
            email = guardian.user.email
            if not email or not guardian.user.is_active or (email, report.pupil_id) in sent:
                continue
            url = links.absolute_url("reports:family_child", report.pupil_id)
            send_mail(
                f"{report.pupil.first_name}'s report from {run.school.name} is ready",
                f"Dear {guardian.user.get_full_name() or 'parent or carer'},\n\n"
                f"{report.pupil.first_name}'s {run.get_kind_display().lower()} ({run.point.name}) is ready. "
                f"Sign in to Uplift to read it and download it:\n\n{url}\n\n{run.school.name}",
                settings.DEFAULT_FROM_EMAIL,
                [email],
            )
            sent.add((email, report.pupil_id))
    return len(sent)
