"""Families' sessions end after an hour idle (a setting), as staff sessions end after theirs."""

import time

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _idle_for(client, seconds):
    session = client.session
    session["uplift_last_seen"] = int(time.time()) - seconds
    session.save()


def test_a_family_session_ends_after_an_hour_idle(client, world, settings):
    assert settings.FAMILY_IDLE_TIMEOUT == 60 * 60
    client.force_login(world.parent.user)
    assert client.get(reverse("home")).status_code == 200
    _idle_for(client, 59 * 60)
    assert client.get(reverse("home")).status_code == 200
    _idle_for(client, 61 * 60)
    response = client.get(reverse("pupil_detail", args=[world.child.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_the_family_idle_limit_is_a_setting(client, world, settings):
    settings.FAMILY_IDLE_TIMEOUT = 5 * 60
    client.force_login(world.parent.user)
    _idle_for(client, 6 * 60)
    assert client.get(reverse("home")).status_code == 302
