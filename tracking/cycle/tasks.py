"""Celery tasks for the tracking cycle, and queuing that survives a broker outage.

Tasks take primary keys and are safe to run twice. `safe_enqueue` queues after the transaction
commits and, when the broker cannot be reached, records a PendingTask that the next scheduler tick
queues again: saving never depends on Redis. Failures that exhaust their retries land in FailedTask
(the data manager's /tasks/failed/ page) through Celery's task_failure signal.
"""

import json
import logging
import smtplib
import traceback as tb

from celery import current_app, shared_task
from celery.signals import task_failure
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from tracking import audit
from tracking.cycle import scheduler
from tracking.models import (
    CycleNotification,
    FailedTask,
    PendingTask,
    Role,
    SheetReturn,
    Staff,
    Stage,
    TeachingGroup,
    TrackingCycle,
)
from tracking.permissions import school_for

log = logging.getLogger(__name__)

# What a broker outage looks like from the publishing side.
BROKER_ERRORS = (KombuOperationalError, ConnectionError, OSError, TimeoutError)
try:  # redis-py's errors do not all derive from the builtins
    import redis.exceptions

    BROKER_ERRORS += (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
except ImportError:  # pragma: no cover
    pass


# task name -> function(args, kwargs) -> school id or None. Apps register their own tasks here so
# the failed-task page can show each school's data manager only their school's failures.
_task_schools = {}


def register_task_school(task_name):
    """Decorator: `func(args, kwargs)` returns the id of the school a task's arguments belong to."""

    def decorate(func):
        _task_schools[task_name] = func
        return func

    return decorate


def school_id_for_task(task_name, args, kwargs):
    """The school a task works for, from its arguments (None when none can be derived)."""
    kwargs = kwargs or {}
    func = _task_schools.get(task_name)
    try:
        if func is not None:
            return func(list(args or []), kwargs)
        school_id = kwargs.get("school_id")
        return int(school_id) if school_id is not None else None
    except Exception:  # a task's bad arguments must not stop its failure being recorded
        log.exception("could not find the school for %s%r", task_name, args)
        return None


@register_task_school("tracking.cycle.tasks.send_cycle_emails")
def _cycle_school(args, kwargs):
    cycle_id = args[0] if args else kwargs.get("cycle_id")
    return TrackingCycle.objects.filter(pk=cycle_id).values_list("school_id", flat=True).first()


@register_task_school("tracking.cycle.tasks.send_sheet_returned_email")
def _sheet_school(args, kwargs):
    sheet_id = args[0] if args else kwargs.get("sheet_id")
    return SheetReturn.objects.filter(pk=sheet_id).values_list("cycle__school_id", flat=True).first()


# Tasks queued (PendingTask) or failed (FailedTask) before the move into feature packages.
RENAMED_TASKS = {
    "tracking.cycle_tasks.scheduler_tick": "tracking.cycle.tasks.scheduler_tick",
    "tracking.cycle_tasks.send_cycle_emails": "tracking.cycle.tasks.send_cycle_emails",
    "tracking.cycle_tasks.send_sheet_returned_email": "tracking.cycle.tasks.send_sheet_returned_email",
    "tracking.tasks.send_completion_reminders": "tracking.oversight.tasks.send_completion_reminders",
}


def _publish(task_name, args, kwargs):
    task_name = RENAMED_TASKS.get(task_name, task_name)
    current_app.tasks[task_name].apply_async(args=args, kwargs=kwargs)


def enqueue_now(task_name, args=(), kwargs=None):
    """Queue a task at once; on a broker error record it as pending. Returns True when queued."""
    kwargs = kwargs or {}
    try:
        _publish(task_name, list(args), kwargs)
    except BROKER_ERRORS as exc:
        log.warning("could not queue %s%r: %s; left pending for the scheduler", task_name, args, exc)
        PendingTask.objects.create(
            task_name=task_name,
            school_id=school_id_for_task(task_name, args, kwargs),
            args=list(args),
            kwargs=kwargs,
            error=repr(exc),
        )
        return False
    except Exception:
        # Eager mode runs the task here: its own failure is in FailedTask, not the caller's problem.
        log.exception("task %s%r failed", task_name, args)
    return True


def safe_enqueue(task, *args, **kwargs):
    """Queue `task` after the current transaction commits, never failing the caller."""
    name = task if isinstance(task, str) else task.name
    transaction.on_commit(lambda: enqueue_now(name, args, kwargs))


def requeue_pending():
    """Queue again every task that could not be queued earlier. Returns how many went."""
    sent = 0
    for pending in PendingTask.objects.all():
        try:
            _publish(pending.task_name, pending.args, pending.kwargs)
        except BROKER_ERRORS as exc:
            pending.attempts += 1
            pending.error = repr(exc)
            pending.save(update_fields=["attempts", "error"])
            continue
        except Exception:
            log.exception("pending task %s failed", pending.task_name)
        pending.delete()
        sent += 1
    return sent


@shared_task(name="tracking.cycle.tasks.scheduler_tick", ignore_result=True)
def scheduler_tick():
    """Beat's one periodic task: queue what could not be queued, then run every due event."""
    requeue_pending()
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
        "verification": reverse("cycle_verify", args=[cycle.pk]),
        "health_check": reverse("health_check_list", args=[cycle.pk]),
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


@task_failure.connect
def record_failed_task(
    sender=None, task_id=None, exception=None, args=None, kwargs=None, einfo=None, **extra
):
    """Keep every failed task for the data manager's page (any task, not only the cycle's)."""

    def jsonable(value, default):
        try:
            json.dumps(value)
            return value
        except (TypeError, ValueError):
            return default

    try:
        task_name = getattr(sender, "name", str(sender))
        FailedTask.objects.create(
            task_name=task_name,
            task_id=task_id or "",
            school_id=school_id_for_task(task_name, args, kwargs),
            args=jsonable(list(args or []), []),
            kwargs=jsonable(dict(kwargs or {}), {}),
            exception=repr(exception)[:2000],
            traceback=str(einfo) if einfo else "".join(tb.format_exception(exception))[-8000:],
        )
    except Exception:  # the failure log must never raise inside Celery's own error handling
        log.exception("could not record failed task %s", task_id)


@transaction.atomic
def failed_task_retry(*, failed, by):
    """Queue a failed task again with its original arguments (after commit, broker-safe)."""
    safe_enqueue(failed.task_name, *failed.args, **failed.kwargs)
    failed.retried_at, failed.retried_by = timezone.now(), by
    failed.save(update_fields=["retried_at", "retried_by"])
    school = failed.school or school_for(by)
    if school is not None:
        audit.record(
            action="tracking.task.retried", obj=failed, by=by, school=school, after={"task": failed.task_name}
        )
    return failed


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
