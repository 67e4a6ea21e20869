"""Redis unreachable for real: the broker URL points at a loopback port where nothing listens.

Nothing is mocked: kombu really tries to connect and is refused. Saving never depends on Redis: the
transition commits at once and its email waits as a PendingTask, which the next tick queues once Redis
answers again (`make test`'s Redis).
"""

import json
import os
import socket
import time
from datetime import date, timedelta

import pytest

from config.celery import app
from tracking.cycle import services
from tracking.lib import queue
from tracking.models import PendingTask

pytestmark = pytest.mark.django_db

EMAILS = "tracking.cycle.tasks.send_cycle_emails"
_MAKE_TEST_BROKER = os.environ.get("CELERY_BROKER_URL", "")


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # released on close: connections to it are refused


def _use_broker(url):
    """Point the app at `url` and drop its pooled connections, so the next publish connects there.
    Celery reads CELERY_BROKER_URL from the environment before its own settings, so both are set."""
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_unreachable():
    saved_env, saved_url = os.environ.get("CELERY_BROKER_URL"), app.conf.broker_url
    saved_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # publish to the broker, as a web process with Redis set does
    _use_broker(f"redis://127.0.0.1:{_closed_port()}/0")
    yield
    app.conf.task_always_eager = saved_eager
    _use_broker(saved_url or "")
    if saved_env is None:
        del os.environ["CELERY_BROKER_URL"]
    else:
        os.environ["CELERY_BROKER_URL"] = saved_env


@pytest.fixture
def cycle(world):
    return services.cycle_create(
        school=world.school,
        academic_year=world.year,
        name="Autumn 2",
        points=[world.point],
        dates=services.default_dates(date.today() + timedelta(days=30)),
    )


def _queued(client, cycle_pk):
    """The messages for this cycle's emails waiting in Redis's default queue (Celery's JSON envelope)."""
    found = []
    for raw in client.lrange("celery", 0, -1):
        message = json.loads(raw)
        headers = message["headers"]
        if headers["task"] == EMAILS and headers["argsrepr"].startswith(f"[{cycle_pk},"):
            found.append(raw)
    return found


def test_a_transition_commits_at_once_with_redis_unreachable_and_its_email_waits_as_pending_work(
    cycle, world, redis_unreachable, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_advance(cycle=cycle, by=world.data_manager.user)
    assert time.monotonic() - started < 10  # refused fast: a web request does not hang on Redis
    cycle.refresh_from_db()
    assert cycle.stage == "input"
    pending = PendingTask.objects.get()
    assert (pending.task_name, pending.args, pending.school_id) == (
        EMAILS,
        [cycle.pk, "input"],
        world.school.pk,
    )
    assert "refused" in pending.error.lower() or "111" in pending.error, pending.error
    # Still down at the next tick: the work stays pending, its attempts counted.
    assert queue.requeue_pending() == 0
    assert PendingTask.objects.get().attempts == 2


def test_pending_work_reaches_redis_once_it_answers_again(cycle, world, redis_unreachable):
    import redis

    broker = _MAKE_TEST_BROKER
    if not broker:
        pytest.skip("needs Redis (`make test` starts one)")
    assert queue.enqueue_now(EMAILS, [cycle.pk, "input"]) == queue.PENDING
    _use_broker(broker)  # Redis is back
    client = redis.Redis.from_url(broker)
    try:
        assert queue.requeue_pending() == 1
        assert not PendingTask.objects.exists()
        queued = _queued(client, cycle.pk)
        assert len(queued) == 1
    finally:
        for raw in _queued(client, cycle.pk):
            client.lrem("celery", 0, raw)  # no worker of a later test runs it
        client.close()


# Every app queues through the one path with the fallback (issue 8): the reminders and the rules run too.
@pytest.mark.django_db(transaction=True)
def test_reminders_sent_with_redis_unreachable_wait_as_pending_work(world, redis_unreachable, client):
    client.force_login(world.data_manager.user)
    response = client.post("/completion/remind/", {"point": world.point.pk})
    assert response.status_code == 302
    assert PendingTask.objects.filter(task_name__endswith="send_completion_reminders").exists()


def test_the_rules_run_at_the_actions_stage_waits_as_pending_work_with_redis_unreachable(
    cycle, world, redis_unreachable, django_capture_on_commit_callbacks
):
    for _ in range(4):  # planned -> input -> verification -> health check -> actions
        with django_capture_on_commit_callbacks(execute=True):
            services.cycle_advance(cycle=cycle, by=world.data_manager.user)
        cycle.refresh_from_db()
    assert cycle.stage == "actions"
    assert PendingTask.objects.filter(task_name="interventions.tasks.run_rules_for_point").exists()
