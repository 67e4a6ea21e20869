"""Failed and pending tasks carry the school their arguments belong to; each data manager sees only
their own school's failures, the trust team sees all."""

import smtplib
from datetime import date, timedelta

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from tests import factories as f
from tracking.cycle import services, tasks
from tracking.lib import queue
from tracking.models import FailedTask, PendingTask

pytestmark = pytest.mark.django_db


def _cycle(w):
    return services.cycle_create(
        school=w.school,
        academic_year=w.year,
        name=f"{w.school.name} uplift",
        points=[w.point],
        dates=services.default_dates(date.today() + timedelta(days=30)),
    )


def _failed(w, name="tracking.cycle.tasks.send_cycle_emails", **extra):
    return FailedTask.objects.create(
        task_name=name, args=[1, "input"], exception=f"{w.school.name} failure", school=w.school, **extra
    )


def test_a_failed_cycle_email_records_the_cycles_school(world, monkeypatch):
    cycle = _cycle(world)

    def smtp_down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(tasks, "send_mail", smtp_down)
    tasks.send_cycle_emails.apply(args=[cycle.pk, "verification"], throw=False, retries=5)
    assert FailedTask.objects.get().school == world.school


def test_a_task_queued_while_the_broker_is_down_records_its_school(world, monkeypatch):
    cycle = _cycle(world)

    def refuse(*args, **kwargs):
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(queue, "_publish", refuse)
    queue.enqueue_now("tracking.cycle.tasks.send_cycle_emails", [cycle.pk, "input"])
    assert PendingTask.objects.get().school == world.school


def test_a_task_whose_arguments_name_no_school_is_recorded_without_one(world):
    assert queue.school_id_for_task("uplift_tests.record_probe", ["x"], {}) is None
    assert queue.school_id_for_task("some.task", [], {"school_id": world.school.pk}) == world.school.pk
    # A cycle that no longer exists names no school; the failure is still recorded.
    assert queue.school_id_for_task("tracking.cycle.tasks.send_cycle_emails", [999999], {}) is None


def test_a_data_manager_sees_only_their_own_schools_failed_tasks(world, other_world, client):
    _failed(world)
    _failed(other_world)
    FailedTask.objects.create(task_name="uplift_tests.record_probe", exception="no school failure")
    client.force_login(world.data_manager.user)
    page = client.get(reverse("failed_tasks")).content.decode()
    assert "Riverside failure" in page
    assert "Hillside failure" not in page
    assert "no school failure" not in page


def test_a_data_manager_cannot_retry_another_schools_failed_task(world, other_world, client):
    theirs = _failed(other_world)
    client.force_login(world.data_manager.user)
    assert client.get(reverse("failed_task_retry", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("failed_task_retry", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.retried_at is None


def test_the_trust_team_sees_every_schools_failed_tasks_and_those_of_no_school(world, other_world, client):
    _failed(world)
    _failed(other_world)
    FailedTask.objects.create(task_name="uplift_tests.record_probe", exception="no school failure")
    trust = f.UserFactory(username="trust", is_trust_admin=True, school=None)
    client.force_login(trust)
    page = client.get(reverse("failed_tasks")).content.decode()
    assert "Riverside failure" in page and "Hillside failure" in page and "no school failure" in page


def test_other_staff_do_not_see_the_failed_tasks_page(world, client):
    _failed(world)
    client.force_login(world.slt.user)
    assert client.get(reverse("failed_tasks")).status_code == 404


def test_a_failed_rules_run_records_its_points_school(world):
    for name in ("interventions.tasks.run_rules_for_point", "interventions.tasks.evaluate_impact_for_point"):
        assert queue.school_id_for_task(name, [world.point.pk], {}) == world.school.pk
