"""Working held standings out in the background, after a write marked many of them stale."""

from celery import shared_task

from .held import refresh_held


@shared_task(name="tracking.standing.tasks.refresh_held_standings", ignore_result=True)
def refresh_held_standings():
    return refresh_held()
