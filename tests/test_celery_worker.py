"""The real-worker fixtures work: the worker answers, and writes to the same test database."""

import uuid

import pytest
from django.contrib.auth.models import Group

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_worker_answers_ping(celery_worker_process):
    assert celery_worker_process.ping() == [{celery_worker_process.hostname: {"ok": "pong"}}]


def test_worker_runs_task_against_test_database(celery_worker_process):
    token = f"probe-{uuid.uuid4().hex}"
    celery_worker_process.send_task("uplift_tests.record_probe", args=[token])
    celery_worker_process.wait_for(
        lambda: Group.objects.filter(name=token).exists(), "commit the probe row", timeout=30
    )


def test_beat_starts(celery_beat_process):
    assert celery_beat_process.alive()
    assert "beat: Starting..." in celery_beat_process.log()
