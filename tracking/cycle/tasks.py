"""Celery tasks for the tracking cycle: the scheduler's tick and the stage emails.

Tasks take primary keys and are safe to run twice; they are queued through tracking.lib.queue.
"""

import logging
import smtplib

from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone

from tracking import standing
from tracking.cycle import scheduler
from tracking.lib import links, queue
from tracking.models import (
    CycleNotification,
    Role,
    SheetReturn,
    Staff,
    Stage,
    TeachingGroup,
    TrackingCycle,
)

log = logging.getLogger(__name__)


@queue.register_task_school("tracking.cycle.tasks.send_cycle_emails")
def _cycle_school(args, kwargs):
    cycle_id = args[0] if args else kwargs.get("cycle_id")
    return TrackingCycle.objects.filter(pk=cycle_id).values_list("school_id", flat=True).first()


@queue.register_task_school("tracking.cycle.tasks.send_sheet_returned_email")
def _sheet_school(args, kwargs):
    sheet_id = args[0] if args else kwargs.get("sheet_id")
    return SheetReturn.objects.filter(pk=sheet_id).values_list("cycle__school_id", flat=True).first()


@shared_task(name="tracking.cycle.tasks.scheduler_tick", ignore_result=True)
def scheduler_tick():
    """Beat's one periodic task: queue what could not be queued, work out the held standings writes
    have marked stale (so a leader opening a dashboard after a bulk change, such as targets
    published for a year group, seldom waits for it), then run every due event."""
    queue.requeue_pending()
    standing.refresh_held()
    ran = scheduler.run_due(timezone.now())
    if ran:
        log.info("scheduler ran %s", ", ".join(ran))
    return ran


def _recipients(cycle, stage):
    points = list(cycle.points.all())
    if stage == Stage.INPUT:
        groups = TeachingGroup.objects.filter(
            academic_year=cycle.academic_year, year_group__in=[p.year_group_id for p in points]
        )
        staff = Staff.objects.filter(teaching_groups__in=groups)
    else:
        staff = Staff.objects.filter(school=cycle.school, roles__role__in=[Role.HEAD_OF_DEPARTMENT, Role.SLT])
    return [s.user for s in staff.select_related("user").distinct() if s.user.email and s.user.is_active]


SUBJECTS = {
    "input": "Data input is open: {cycle}",
    "verification": "Please verify your department's data: {cycle}",
    "health_check": "Health checks are ready: {cycle}",
}
BODIES = {
    "input": "The assessment window for {cycle} is open. Please enter grades for your classes.",
    "verification": "The window for {cycle} has closed. Please check your department's data and sign it off "
    "as verified, or send sheets back with a reason.\n\n{url}",
    "health_check": "Your department's health check for {cycle} is ready to discuss.\n\n{url}",
}


@shared_task(
    name="tracking.cycle.tasks.send_cycle_emails",
    autoretry_for=(smtplib.SMTPException, ConnectionError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
)
def send_cycle_emails(cycle_id, stage):
    """Email the staff who have work at this stage. A retry sends only to those not yet sent."""
    cycle = TrackingCycle.objects.filter(pk=cycle_id).first()
    if cycle is None or stage not in SUBJECTS:
        return 0
    already = set(
        CycleNotification.objects.filter(cycle=cycle, stage=stage).values_list("user_id", flat=True)
    )
    urls = {
        "verification": links.absolute_url("cycle_verify", cycle.pk),
        "health_check": links.absolute_url("health_check_list", cycle.pk),
    }
    sent = 0
    for user in _recipients(cycle, stage):
        if user.pk in already:
            continue
        send_mail(
            SUBJECTS[stage].format(cycle=cycle),
            BODIES[stage].format(cycle=cycle, url=urls.get(stage, "")),
            None,
            [user.email],
        )
        CycleNotification.objects.get_or_create(
            cycle=cycle, stage=stage, user=user, defaults={"sent_at": timezone.now()}
        )
        sent += 1
    return sent


@shared_task(
    name="tracking.cycle.tasks.send_sheet_returned_email",
    autoretry_for=(smtplib.SMTPException, ConnectionError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    ignore_result=True,
)
def send_sheet_returned_email(sheet_id):
    sheet = SheetReturn.objects.select_related("teaching_group", "cycle").filter(pk=sheet_id).first()
    if sheet is None or sheet.resolved_at is not None:
        return 0
    emails = [t.user.email for t in sheet.teaching_group.teachers.select_related("user") if t.user.email]
    if emails:
        send_mail(
            f"Sheet sent back: {sheet.teaching_group} ({sheet.cycle})",
            f"Your {sheet.teaching_group} sheet has been reopened for you to correct.\n\n"
            f"Reason: {sheet.reason}",
            None,
            emails,
        )
    return len(emails)
