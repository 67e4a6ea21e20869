"""Two schedulers racing on PostgreSQL: the ledger's unique key and the locked cycle row make each
transition happen exactly once, in order."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tracking.cycle import scheduler, services
from tracking.models import CycleTransition, ScheduledEventRun

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_schedulers_running_at_once_perform_each_transition_exactly_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (tests/run.sh)")
    cycle = services.cycle_create(
        school=world.school,
        academic_year=world.year,
        name="Raced uplift",
        points=[world.point],
        dates=services.default_dates(date.today() - timedelta(weeks=10)),
    )
    barrier = threading.Barrier(4)
    results, errors = [], []

    def tick():
        try:
            barrier.wait(timeout=10)
            results.append(scheduler.run_due(timezone.now()))
        except Exception as exc:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    stages = list(
        CycleTransition.objects.filter(cycle=cycle).order_by("pk").values_list("to_stage", flat=True)
    )
    assert stages == ["input", "verification", "health_check", "actions", "evaluation", "closed"]
    # Other apps' events (e.g. Monday's intervention timetables) may run in the same ticks.
    assert sorted(key for ran in results for key in ran if key.startswith("cycle:")) == sorted(
        f"cycle:{cycle.pk}:{stage}" for stage in stages
    )
    assert ScheduledEventRun.objects.filter(key__startswith="cycle:").count() == 6
