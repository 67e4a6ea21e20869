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
