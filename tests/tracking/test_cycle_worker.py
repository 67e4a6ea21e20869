"""End to end with a real Celery worker and Redis: a due transition happens through the broker."""

from datetime import date, timedelta

import pytest

from tracking.cycle import services
from tracking.models import AssessmentPoint, CycleTransition, TrackingCycle

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_the_scheduler_tick_sent_through_the_broker_moves_a_due_cycle_into_verification(
    celery_worker_process, world
):
    today = date.today()
    dates = services.default_dates(today - timedelta(days=10))  # verification was due three days ago
    cycle = services.cycle_create(
        school=world.school,
        academic_year=world.year,
        name="Overdue uplift",
        points=[world.point],
        dates=dates,
    )
    celery_worker_process.send_task("tracking.cycle.tasks.scheduler_tick")
    celery_worker_process.wait_for(
        lambda: TrackingCycle.objects.get(pk=cycle.pk).stage == "verification",
        "move the cycle into verification",
        timeout=30,
    )
    transitions = list(CycleTransition.objects.filter(cycle=cycle).values_list("to_stage", "by", "via"))
    assert transitions == [("input", None, "scheduler"), ("verification", None, "scheduler")]
    assert AssessmentPoint.objects.get(pk=world.point.pk).is_locked
    # A second tick through the broker changes nothing: each transition happened exactly once.
    celery_worker_process.send_task("tracking.cycle.tasks.scheduler_tick")
    celery_worker_process.send_task("uplift_tests.record_probe", args=["after-second-tick"])
    from django.contrib.auth.models import Group

    celery_worker_process.wait_for(
        lambda: Group.objects.filter(name="after-second-tick").exists(), "run both"
    )
    assert CycleTransition.objects.filter(cycle=cycle).count() == 2
