"""The real-worker fixture works: the worker (which answered a ping before the test began) writes to the
same test database. Beat with a worker: tests/tracking/test_cycle_worker.py."""

import uuid

import pytest
from django.contrib.auth.models import Group

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_worker_runs_task_against_test_database(celery_worker_process):
    token = f"probe-{uuid.uuid4().hex}"
    celery_worker_process.send_task("uplift_tests.record_probe", args=[token])
    celery_worker_process.wait_for(
        lambda: Group.objects.filter(name=token).exists(), "commit the probe row", timeout=30
    )
