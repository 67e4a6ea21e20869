"""A cycle's emails for real: queued on commit through Redis, sent by a real worker through a real SMTP
server that turns one connection away, so Celery's retry runs and sends only what was not yet sent."""

from datetime import date, timedelta

import pytest

from tests.smtp_sink import SmtpSink
from tracking.cycle import services
from tracking.models import CycleNotification, FailedTask, PendingTask

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp():
    with SmtpSink(refuse={2}) as sink:  # the second connection, the second teacher's email, is refused
        yield sink


@pytest.fixture
def celery_env(smtp):
    return smtp.django_env()


def test_opening_input_emails_each_teacher_once_through_the_worker_after_a_refused_connection(
    smtp, celery_worker_process, world
):
    cycle = services.cycle_create(
        school=world.school,
        academic_year=world.year,
        name="Spring uplift",
        points=[world.point],
        dates=services.default_dates(date.today() + timedelta(days=30)),
    )
    services.cycle_advance(cycle=cycle, by=world.data_manager.user)  # queued after commit, to Redis
    assert not PendingTask.objects.exists()
    celery_worker_process.wait_for(
        lambda: CycleNotification.objects.filter(cycle=cycle, stage="input").count() == 2,
        "email both Year 11 teachers",
        timeout=60,
    )
    teachers = sorted([world.teacher.user.email, world.other_teacher.user.email])
    assert sorted(to for _, (to,), _ in smtp.messages) == teachers  # each exactly once
    assert smtp.connections == 3  # sent, refused, sent on the retry
    for _, _, message in smtp.messages:
        assert message["Subject"] == f"Data input is open: {cycle}"
        assert "Please enter grades for your classes" in message.get_content()
    log = celery_worker_process.log()
    assert "Retry in" in log and "421" in log, log
    assert not FailedTask.objects.exists()
