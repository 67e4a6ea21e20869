"""The Celery app. The whole beat schedule lives here: one periodic task, the school-year scheduler.

Run exactly one beat process (two would tick twice; the scheduler's ledger makes that harmless but
wasteful). Redis as broker must be configured with `maxmemory-policy noeviction` so queued tasks are
never evicted under memory pressure.
"""

import os

from celery import Celery
from celery.signals import worker_process_init
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("uplift")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# tracking's tasks live in its feature packages; TrackingConfig.ready() imports them so workers know them.
app.conf.beat_schedule = {
    "scheduler-tick": {
        "task": "tracking.cycle.tasks.scheduler_tick",
        "schedule": float(settings.UPLIFT_SCHEDULER_SECONDS),
    },
}


@worker_process_init.connect
def _settle(**kwargs):
    """Each worker process, once forked, as a web server process (config.startup)."""
    from config.startup import settle  # noqa: PLC0415 - Django's apps are loaded by now

    settle()
