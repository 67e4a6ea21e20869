"""`make run` with no broker: background work runs on one thread beside the web server, so the page
that queued it answers at once (a report batch's progress bar moves) and tasks still run in order."""

import threading

import pytest
from celery import shared_task
from django.contrib.auth.models import Group

from tracking.lib import queue

pytestmark = pytest.mark.django_db(transaction=True)

gate = threading.Event()
ran_on = []


@shared_task(name="uplift_tests.embedded_probe")
def embedded_probe(token):
    gate.wait(timeout=10)
    ran_on.append(threading.current_thread().name)
    Group.objects.create(name=token)


def _drain():
    queue._embedded_worker().submit(lambda: None).result(timeout=20)


def test_the_caller_returns_before_the_task_runs_and_tasks_run_in_order_on_one_thread(settings):
    settings.UPLIFT_EMBEDDED_WORKER = True
    gate.clear()
    ran_on.clear()
    assert queue.enqueue_now("uplift_tests.embedded_probe", ["first"]) == queue.QUEUED
    assert queue.enqueue_now("uplift_tests.embedded_probe", ["second"]) == queue.QUEUED
    assert not Group.objects.exists()  # the caller did not wait for the work
    gate.set()
    _drain()
    assert list(Group.objects.order_by("pk").values_list("name", flat=True)) == ["first", "second"]
    assert len(ran_on) == 2 and all(name.startswith("uplift-worker") for name in ran_on)
    assert threading.current_thread().name not in ran_on


def test_without_it_an_eager_task_runs_inside_the_caller(settings):
    settings.UPLIFT_EMBEDDED_WORKER = False
    gate.set()
    ran_on.clear()
    queue.enqueue_now("uplift_tests.embedded_probe", ["inline"])
    assert ran_on == [threading.current_thread().name]
    assert Group.objects.filter(name="inline").exists()


def test_the_embedded_beat_sends_the_scheduler_tick_again_and_again(monkeypatch):
    sent = []
    ticked = threading.Event()

    def enqueue(task, args=(), kwargs=None):
        sent.append(task)
        if len(sent) >= 3:
            ticked.set()
        return queue.QUEUED

    monkeypatch.setattr(queue, "enqueue_now", enqueue)
    stop = threading.Event()
    beat = queue.start_embedded_beat(0.01, first_after=0, stop=stop)
    try:
        assert ticked.wait(timeout=5) and beat.daemon
    finally:
        stop.set()
        beat.join(timeout=5)
    assert not beat.is_alive()
    assert set(sent) == {"tracking.cycle.tasks.scheduler_tick"}


def test_the_beat_starts_only_with_the_embedded_worker_and_never_sits_in_the_request_path(
    settings, monkeypatch
):
    from django.core.exceptions import MiddlewareNotUsed

    from tracking.middleware import EmbeddedBeatMiddleware

    started = []
    monkeypatch.setattr(queue, "start_embedded_beat", lambda every: started.append(every))
    for embedded in (False, True):
        settings.UPLIFT_EMBEDDED_WORKER = embedded
        with pytest.raises(MiddlewareNotUsed):
            EmbeddedBeatMiddleware(lambda request: None)
    assert started == [settings.UPLIFT_SCHEDULER_SECONDS]
