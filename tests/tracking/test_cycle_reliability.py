"""Celery reliability: broker outages leave work pending for the scheduler; failures are recorded."""

import smtplib
from datetime import date, timedelta

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from config.celery import app
from tracking.cycle import services, tasks, verification
from tracking.lib import queue
from tracking.lib.errors import DomainError
from tracking.models import FailedTask, PendingTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(world):
    return services.cycle_create(
        school=world.school,
        academic_year=world.year,
        name="Autumn 2",
        points=[world.point],
        dates=services.default_dates(date.today() + timedelta(days=30)),
    )


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(queue, "_publish", refuse)


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr(queue, "_publish", lambda name, args, kwargs: sent.append((name, args)))
    return sent


def test_beat_runs_exactly_one_periodic_task_the_scheduler_tick():
    assert list(app.conf.beat_schedule) == ["scheduler-tick"]
    assert app.conf.beat_schedule["scheduler-tick"]["task"] == "tracking.cycle.tasks.scheduler_tick"
    assert "tracking.cycle.tasks.scheduler_tick" in app.tasks


def test_a_transition_commits_even_when_the_broker_is_down_and_the_email_waits(
    cycle, world, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_advance(cycle=cycle, by=world.data_manager.user)
    cycle.refresh_from_db()
    assert cycle.stage == "input"
    pending = PendingTask.objects.get()
    assert pending.task_name == "tracking.cycle.tasks.send_cycle_emails"
    assert pending.args == [cycle.pk, "input"]


def test_the_next_scheduler_tick_queues_pending_work(cycle, world, broker_down, monkeypatch):
    queue.enqueue_now("tracking.cycle.tasks.send_cycle_emails", [cycle.pk, "input"])
    assert queue.requeue_pending() == 0
    assert PendingTask.objects.get().attempts == 2
    sent = []
    monkeypatch.setattr(queue, "_publish", lambda name, args, kwargs: sent.append((name, args)))
    tasks.scheduler_tick()
    assert sent == [("tracking.cycle.tasks.send_cycle_emails", [cycle.pk, "input"])]
    assert not PendingTask.objects.exists()


def test_a_task_that_fails_for_good_is_recorded_with_its_arguments(cycle, world, monkeypatch):
    def smtp_down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr(tasks, "send_mail", smtp_down)
    result = tasks.send_cycle_emails.apply(args=[cycle.pk, "verification"], throw=False, retries=5)
    assert result.failed()
    failed = FailedTask.objects.get()
    assert failed.task_name == "tracking.cycle.tasks.send_cycle_emails"
    assert failed.args == [cycle.pk, "verification"]
    assert "mail server went away" in failed.exception


def test_the_data_manager_sees_failed_tasks_and_retries_one(
    world, client, published, django_capture_on_commit_callbacks
):
    failed = FailedTask.objects.create(
        task_name="tracking.cycle.tasks.send_cycle_emails",
        args=[7, "input"],
        exception="SMTPServerDisconnected()",
        school=world.school,
    )
    client.force_login(world.data_manager.user)
    page = client.get(reverse("failed_tasks")).content.decode()
    assert "tracking.cycle.tasks.send_cycle_emails" in page and "SMTPServerDisconnected" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("failed_task_retry", args=[failed.pk]))
    assert response.status_code == 302
    assert published == [("tracking.cycle.tasks.send_cycle_emails", [7, "input"])]
    failed.refresh_from_db()
    assert failed.retried_by == world.data_manager.user


def test_the_data_manager_advances_holds_and_fast_forwards_from_the_page(world, cycle, client):
    client.force_login(world.data_manager.user)
    client.post(reverse("cycle_action", args=[cycle.pk, "advance"]))
    cycle.refresh_from_db()
    assert cycle.stage == "input"
    client.post(reverse("cycle_action", args=[cycle.pk, "hold"]), {"note": "Mocks"})
    cycle.refresh_from_db()
    assert cycle.is_held and cycle.held_reason == "Mocks"
    page = client.post(reverse("cycle_action", args=[cycle.pk, "fast-forward"]), follow=True).content.decode()
    assert "Release the cycle before fast-forwarding" in page
    client.post(reverse("cycle_action", args=[cycle.pk, "release"]))
    client.post(reverse("cycle_action", args=[cycle.pk, "fast-forward"]))
    cycle.refresh_from_db()
    assert cycle.stage == "verification"
    assert cycle.transitions.get(to_stage="verification").via == "fast-forward"


def test_a_head_of_department_cannot_move_a_cycle(world, cycle, client):
    client.force_login(world.hod.user)
    assert client.post(reverse("cycle_action", args=[cycle.pk, "advance"])).status_code == 404
    cycle.refresh_from_db()
    assert cycle.stage == "planned"


def test_hod_signs_off_and_sends_a_sheet_back_with_a_reason(world, cycle, client):
    services.cycle_advance(cycle=cycle, by=world.data_manager.user)
    services.cycle_advance(cycle=cycle, by=world.data_manager.user)
    client.force_login(world.hod.user)
    url = reverse("cycle_verify", args=[cycle.pk])
    client.post(url, {"action": "verify", "department": world.maths.department_id})
    assert cycle.signoffs.get(department=world.maths.department).status == "verified"
    page = client.post(url, {"action": "return", "group": world.group.pk, "reason": ""}, follow=True)
    assert "Say why the sheet is going back" in page.content.decode()
    client.post(url, {"action": "return", "group": world.group.pk, "reason": "Effort grades missing"})
    assert verification.sheet_is_reopened(world.point, world.group)
    assert cycle.signoffs.get(department=world.maths.department).status == "returned"
    sheet = cycle.sheet_returns.get()
    client.post(url, {"action": "resolve", "sheet": sheet.pk})
    assert not verification.sheet_is_reopened(world.point, world.group)
    # English is not their department: the group is out of scope.
    assert (
        client.post(url, {"action": "return", "group": world.english_group.pk, "reason": "x"}).status_code
        == 404
    )


def test_signing_off_outside_verification_is_refused(world, cycle):
    with pytest.raises(DomainError):
        verification.department_sign_off(
            cycle=cycle, department=world.maths.department, by=world.hod.user, is_slt=False
        )
