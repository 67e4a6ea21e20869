"""The one way any app queues background work, and what happens when it cannot be queued.

`safe_enqueue(task, *args)` queues after the transaction commits and, when the broker cannot be
reached, records a PendingTask that the scheduler's next tick queues again: saving never depends on
Redis. `enqueue_now` queues at once and says what happened. Failures that exhaust their retries land
in FailedTask (the data manager's /tasks/failed/ page) through Celery's task_failure signal; apps tell
that page which school a task works for with `register_task_school`.
"""

import json
import logging
import threading
import traceback as tb
from concurrent.futures import ThreadPoolExecutor

from celery import current_app
from celery.signals import task_failure
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from tracking import audit
from tracking.models import FailedTask, PendingTask
from tracking.permissions import school_for

log = logging.getLogger(__name__)

QUEUED, PENDING, FAILED = "queued", "pending", "failed"

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


# Tasks queued (PendingTask) or failed (FailedTask) before the move into feature packages.
RENAMED_TASKS = {
    "tracking.cycle_tasks.scheduler_tick": "tracking.cycle.tasks.scheduler_tick",
    "tracking.cycle_tasks.send_cycle_emails": "tracking.cycle.tasks.send_cycle_emails",
    "tracking.cycle_tasks.send_sheet_returned_email": "tracking.cycle.tasks.send_sheet_returned_email",
    "tracking.tasks.send_completion_reminders": "tracking.oversight.tasks.send_completion_reminders",
}


class RanAndFailed(Exception):
    """With no broker (eager mode) the task ran in the caller and raised: not a broker outage."""


_embedded = []  # the embedded worker's one thread, started on first use


def _embedded_worker():
    if not _embedded:
        _embedded.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="uplift-worker"))
    return _embedded[0]


def _run_embedded(task, args, kwargs):
    """One task on the embedded worker's thread, as a worker would run it (one at a time, in order)."""
    try:
        task.apply_async(args=args, kwargs=kwargs)  # eager: runs here; failures reach FailedTask
    except Exception:
        log.exception("task %s%r failed", task.name, args)
    finally:
        connections.close_all()  # this thread's own connections


SCHEDULER_TICK = "tracking.cycle.tasks.scheduler_tick"


def start_embedded_beat(every_seconds, first_after=10, stop=None):
    """`make run`'s stand-in for celery beat: the scheduler tick goes to the embedded worker every
    `every_seconds`, so windows open and close, cycles move and housekeeping runs with no beat. The
    tick is idempotent (its ledger), so a restart never repeats an event."""

    stop = stop or threading.Event()

    def beat():
        stop.wait(first_after)
        while not stop.is_set():
            enqueue_now(SCHEDULER_TICK)
            stop.wait(every_seconds)

    thread = threading.Thread(target=beat, name="uplift-beat", daemon=True)
    thread.start()
    return thread


def _publish(task_name, args, kwargs):
    task = current_app.tasks[RENAMED_TASKS.get(task_name, task_name)]
    if not current_app.conf.task_always_eager:
        task.apply_async(args=args, kwargs=kwargs)
        return
    if settings.UPLIFT_EMBEDDED_WORKER:
        _embedded_worker().submit(_run_embedded, task, args, kwargs)
        return
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception as exc:  # an SMTP error is an OSError too: it must not pass for a broker error
        raise RanAndFailed(task_name) from exc


def enqueue_now(task, args=(), kwargs=None):
    """Queue a task at once; on a broker error record it as pending.

    Returns QUEUED, PENDING (the broker was down: the scheduler's next tick queues it) or FAILED
    (no broker: the task ran here, eagerly, and raised; FailedTask has it).
    """
    task_name = task if isinstance(task, str) else task.name
    kwargs = kwargs or {}
    try:
        _publish(task_name, list(args), kwargs)
    except RanAndFailed:
        # Eager mode ran the task here: its own failure is in FailedTask, not the caller's problem.
        log.exception("task %s%r failed", task_name, args)
        return FAILED
    except BROKER_ERRORS as exc:
        log.warning("could not queue %s%r: %s; left pending for the scheduler", task_name, args, exc)
        PendingTask.objects.create(
            task_name=task_name,
            school_id=school_id_for_task(task_name, args, kwargs),
            args=list(args),
            kwargs=kwargs,
            error=repr(exc),
        )
        return PENDING
    except Exception:  # e.g. an unknown task name: logged, never the caller's error page
        log.exception("could not queue %s%r", task_name, args)
        return FAILED
    return QUEUED


def safe_enqueue(task, *args, **kwargs):
    """Queue `task` after the current transaction commits, never failing the caller."""
    transaction.on_commit(lambda: enqueue_now(task, args, kwargs))


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
