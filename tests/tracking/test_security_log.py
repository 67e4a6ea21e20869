"""The security log: sign-ins, failures, locks, sign-outs, resets, admin and role changes and downloads
are audited; the data manager searches them by person, action and date; nobody can edit them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.personas import sign_in_two_step
from tracking.models import AuditEvent

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"


@pytest.fixture(autouse=True)
def fast_passwords(settings, world):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world.slt.user.set_password(f.PASSWORD)
    world.slt.user.save()


def _sign_in(client, username, password, address=ADDRESS):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _actions(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("pk").values_list("action", flat=True))


def test_sign_in_failure_and_sign_out_are_logged_against_the_account(client, world):
    user = world.slt.user
    _sign_in(client, user.username, "wrong")
    _sign_in(client, user.username, f.PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)
    assert _actions(object_type="tracking.user", object_id=str(user.pk)) == [
        "security.signin.failed",
        "security.signin.succeeded",
        "security.signout",
    ]
    failed = AuditEvent.objects.get(action="security.signin.failed")
    assert failed.school == world.school and failed.after == {"username": user.username, "address": ADDRESS}


def test_a_failure_for_a_name_no_account_has_is_logged_for_the_operator_only(client, world):
    _sign_in(client, "nobody-here", "wrong")
    event = AuditEvent.objects.get(action="security.signin.failed")
    assert event.school is None and event.object_id == "" and event.after["username"] == "nobody-here"


def test_a_lock_and_the_refusals_after_it_are_logged(client, world):
    user = world.slt.user
    for i in range(10):
        _sign_in(client, user.username, "wrong", address=f"192.0.2.{i}")
    _sign_in(client, user.username, f.PASSWORD)
    assert _actions(action__startswith="security.account") == ["security.account.locked"]
    refused = AuditEvent.objects.get(action="security.signin.refused")
    assert refused.after["reason"] == "locked"


def test_password_resets_are_logged(client, world):
    user = world.slt.user
    client.post(reverse("password_reset"), {"email": user.email}, REMOTE_ADDR=ADDRESS)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line).strip()
    form_page = client.get(link[link.index("/accounts/") :], follow=True)
    new = "a-long-new-passphrase-for-slt"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert _actions(object_id=str(user.pk), action__startswith="security.password") == [
        "security.password_reset.requested",
        "security.password_reset.completed",
    ]


def test_downloads_are_logged(client, world):
    client.force_login(world.data_manager.user)
    response = client.get(reverse("flight_paths_csv"))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="security.download")
    assert event.by == world.data_manager.user and event.after["path"] == reverse("flight_paths_csv")
    assert event.school == world.school


def test_the_data_manager_searches_by_person_action_and_date(client, world, other_world):
    _sign_in(client, world.slt.user.username, "wrong")
    _sign_in(client, other_world.slt.user.username, "wrong")
    old = AuditEvent.objects.create(
        school=world.school, action="security.signin.failed", after={"username": "old.timer"}
    )
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=30))
    client.force_login(world.data_manager.user)
    url = reverse("security_log")

    def rows(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return list(response.context["table"].data)

    everything = rows()
    assert all(e.school_id == world.school.pk for e in everything)  # never Hillside's
    failures = rows(person=world.slt.user.username, action="security.signin.failed")
    assert [e.after["username"] for e in failures] == [world.slt.user.username]
    signins = rows(person=world.data_manager.user.last_name, action="security.signin.succeeded")
    assert signins and all(e.by == world.data_manager.user for e in signins)
    today = timezone.localdate().isoformat()
    recent = rows(action="security.signin.failed", since=today)
    assert old.pk not in {e.pk for e in recent} and recent


def test_nobody_can_edit_or_delete_the_log(client, world):
    event = AuditEvent.objects.create(school=world.school, action="security.signin.failed")
    operator = f.UserFactory(username="operator", is_staff=True, is_superuser=True, school=None)
    sign_in_two_step(client, operator)
    change = reverse("admin:tracking_auditevent_change", args=[event.pk])
    assert client.post(change, {"action": "tampered"}).status_code == 403
    delete = reverse("admin:tracking_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action == "security.signin.failed"
