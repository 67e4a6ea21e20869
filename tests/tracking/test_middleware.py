import time

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse

from tracking.middleware import IDLE_KEY, DatabaseBusyMiddleware


def _busy(request):
    return DatabaseBusyMiddleware(lambda r: None).process_exception(
        request, OperationalError("database is locked")
    )


def test_a_locked_database_answers_503_try_again_not_500():
    response = _busy(RequestFactory().post("/targets/"))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "nothing was saved" in page and "try again" in page


def test_a_locked_database_answers_an_htmx_request_with_the_message_alone():
    response = _busy(RequestFactory().post("/marksheets/1/2/rows/3/", headers={"HX-Request": "true"}))
    assert response.status_code == 503
    assert (
        response.content.decode()
        == "The database is busy, so nothing was saved. Please try again in a moment."
    )


def test_other_database_errors_are_left_to_the_500_page():
    middleware = DatabaseBusyMiddleware(lambda r: None)
    request = RequestFactory().get("/")
    assert middleware.process_exception(request, OperationalError("no such table: x")) is None
    assert middleware.process_exception(request, ValueError("database is locked")) is None


@pytest.mark.django_db
def test_the_idle_clock_is_written_at_most_once_a_minute(client, world):
    client.force_login(world.teacher.user)
    client.get(reverse("home"))
    session = client.session
    half_a_minute_ago = int(time.time()) - 30
    session[IDLE_KEY] = half_a_minute_ago
    session.save()
    client.get(reverse("home"))
    assert client.session[IDLE_KEY] == half_a_minute_ago  # no session write for this page view
    session = client.session
    session[IDLE_KEY] = int(time.time()) - 61
    session.save()
    client.get(reverse("home"))
    assert client.session[IDLE_KEY] >= int(time.time()) - 2
