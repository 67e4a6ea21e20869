"""Sign-in throttling: by account and address, a lock after 10 failures, resets that reveal nothing."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tracking.models import SignInAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings, world):
    """Dozens of sign-ins per test: a fast hasher keeps them quick (the throttle does not care)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for persona in (world.slt, world.teacher):
        persona.user.set_password(f.PASSWORD)
        persona.user.save()


SCHOOL_ADDRESS = "203.0.113.7"
HOME_ADDRESS = "198.51.100.20"


def _sign_in(client, username, password, address=SCHOOL_ADDRESS):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client):
    return "_auth_user_id" in client.session


def test_right_password_after_five_wrong_ones_waits_out_the_cool_off(client, world):
    username = world.slt.user.username
    for _ in range(4):
        assert "correct username and password" in _sign_in(client, username, "wrong").content.decode()
    assert "Too many failed sign-ins" in _sign_in(client, username, "wrong").content.decode()
    page = _sign_in(client, username, f.PASSWORD).content.decode()
    assert not _signed_in(client)
    assert "Too many failed sign-ins for this account" in page
    # The cool-off is per address: the owner at home is not held up by a guesser at school.
    _sign_in(client, username, f.PASSWORD, address=HOME_ADDRESS)
    assert _signed_in(client)


def test_cool_off_ends_after_its_time(client, world):
    username = world.slt.user.username
    for _ in range(5):
        _sign_in(client, username, "wrong")
    SignInAttempt.objects.update(at=timezone.now() - timedelta(minutes=16))
    _sign_in(client, username, f.PASSWORD)
    assert _signed_in(client)


def test_ten_failures_lock_the_account_from_every_address_and_say_so(client, world):
    username = world.slt.user.username
    for i in range(10):
        _sign_in(client, username, "wrong", address=f"192.0.2.{i}")
    page = _sign_in(client, username, f.PASSWORD, address="192.0.2.200").content.decode()
    assert not _signed_in(client)
    assert "This account is locked after 10 failed sign-ins" in page
    # Refused attempts are not counted, so the lock lifts on time however often it is tried.
    assert SignInAttempt.objects.filter(username=username.lower()).count() == 10


def test_the_tenth_failure_says_the_account_is_now_locked(client, world):
    username = world.slt.user.username
    for i in range(9):
        _sign_in(client, username, "wrong", address=f"192.0.2.{i}")
    page = _sign_in(client, username, "wrong", address="192.0.2.99").content.decode()
    assert "This account is locked" in page


def test_twenty_five_guesses_then_the_right_password_does_not_sign_in(client, world):
    """The reproduction in issue 9: 25 wrong passwords for slt were followed by a successful login."""
    username = world.slt.user.username
    for i in range(25):
        _sign_in(client, username, f"guess{i}", address=f"192.0.2.{i % 3}")
    _sign_in(client, username, f.PASSWORD)
    assert not _signed_in(client)


def test_colleagues_behind_the_same_school_address_still_sign_in(client, world):
    for i in range(12):
        _sign_in(client, world.slt.user.username, f"guess{i}")
    _sign_in(client, world.teacher.user.username, f.PASSWORD)
    assert _signed_in(client)


def test_a_lock_does_not_reveal_whether_the_account_exists(client, world):
    def ten_failures(username):
        pages = [_sign_in(client, username, "wrong", address=f"192.0.2.{i}") for i in range(10)]
        return pages[-1].content.decode()

    real, made_up = ten_failures(world.slt.user.username), ten_failures("nobody-by-this-name")
    assert "This account is locked" in real
    assert "This account is locked" in made_up


def test_lock_is_case_blind(client, world):
    for i in range(10):
        _sign_in(client, world.slt.user.username.upper(), "wrong", address=f"192.0.2.{i}")
    _sign_in(client, world.slt.user.username, f.PASSWORD, address="192.0.2.200")
    assert not _signed_in(client)


def test_a_success_clears_earlier_failures(client, world):
    username = world.slt.user.username
    for _ in range(4):
        _sign_in(client, username, "wrong")
    _sign_in(client, username, f.PASSWORD)
    assert _signed_in(client)
    assert not SignInAttempt.objects.filter(username=username.lower()).exists()


def test_behind_a_proxy_the_forwarded_address_is_the_key(client, world, settings):
    settings.PROXY_COUNT = 1
    username = world.slt.user.username
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": username, "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.9.9.9, {SCHOOL_ADDRESS}",
        )
    assert set(SignInAttempt.objects.values_list("address", flat=True)) == {SCHOOL_ADDRESS}


# -- password reset ------------------------------------------------------------------------------


def _without_tokens(response):
    return re.sub(r'(value|content)="[A-Za-z0-9]{64}"', "", response.content.decode())


def _reset(client, email, address=SCHOOL_ADDRESS):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address, follow=True)


def test_reset_page_reads_the_same_for_an_account_and_for_no_account(client, world):
    real = _reset(client, world.slt.user.email)
    made_up = _reset(client, "nobody@example.org", address=HOME_ADDRESS)
    assert real.redirect_chain == made_up.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert _without_tokens(real) == _without_tokens(made_up)
    assert len(mail.outbox) == 1


def test_reset_emails_to_one_address_are_limited_without_saying_so(client, world):
    for i in range(6):
        response = _reset(client, world.slt.user.email, address=f"192.0.2.{i}")
        assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert len(mail.outbox) == 3


def test_reset_requests_from_one_address_are_throttled(client, world):
    for i in range(10):
        _reset(client, f"person{i}@example.org")
    page = _reset(client, world.slt.user.email).content.decode()
    assert "Too many password reset requests" in page
    assert len(mail.outbox) == 0


def test_a_password_reset_unlocks_the_account(client, world):
    user = world.slt.user
    for i in range(10):
        _sign_in(client, user.username, "wrong", address=f"192.0.2.{i}")
    _reset(client, user.email)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line).strip()
    path = link[link.index("/accounts/") :]
    form_page = client.get(path, follow=True)
    new_password = "a-long-new-passphrase-for-slt"
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    _sign_in(client, user.username, new_password)
    assert _signed_in(client)


def test_common_breached_passwords_are_refused_offline(client, world):
    client.force_login(world.slt.user)
    response = client.post(
        reverse("password_change"),
        {"old_password": f.PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )
    assert "This password is too common" in response.content.decode()
    world.slt.user.refresh_from_db()
    assert world.slt.user.check_password(f.PASSWORD)
