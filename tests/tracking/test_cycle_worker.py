"""End to end with real Celery beat, a real worker and Redis: beat publishes the scheduler tick every
second, the worker runs it, and a due transition happens exactly once however many ticks follow."""

import re
from datetime import date, timedelta

import pytest

from tracking.cycle import services
from tracking.models import AssessmentPoint, CycleTransition, TrackingCycle

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

TICK_RAN = re.compile(r"Task tracking\.cycle\.tasks\.scheduler_tick\[[^\]]+\] succeeded")


@pytest.fixture
def celery_env():
    return {"UPLIFT_SCHEDULER_SECONDS": "1"}  # beat's one periodic task, every second instead of 5 minutes


def test_beat_publishes_the_tick_a_worker_runs_and_a_due_cycle_moves_into_verification_once(
    celery_worker_process, celery_beat_process, world
):
    worker, beat = celery_worker_process, celery_beat_process
    dates = services.default_dates(date.today() - timedelta(days=10))  # verification was due 3 days ago
    cycle = services.cycle_create(
        school=world.school,
        academic_year=world.year,
        name="Overdue uplift",
        points=[world.point],
        dates=dates,
    )
    worker.wait_for(
        lambda: TrackingCycle.objects.get(pk=cycle.pk).stage == "verification",
        "run a tick that moves the cycle into verification",
        timeout=60,
    )
    assert "Sending due task scheduler-tick (tracking.cycle.tasks.scheduler_tick)" in beat.log()
    transitions = list(CycleTransition.objects.filter(cycle=cycle).values_list("to_stage", "by", "via"))
    assert transitions == [("input", None, "scheduler"), ("verification", None, "scheduler")]
    assert AssessmentPoint.objects.get(pk=world.point.pk).is_locked
    # Two more ticks from beat change nothing: each transition happened exactly once.
    ran = len(TICK_RAN.findall(worker.log()))
    worker.wait_for(lambda: len(TICK_RAN.findall(worker.log())) >= ran + 2, "run two more ticks", timeout=30)
    assert CycleTransition.objects.filter(cycle=cycle).count() == 2
    assert beat.alive()
