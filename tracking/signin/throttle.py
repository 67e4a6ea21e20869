"""Throttling sign-ins and password resets, in every mode (the demo included).

A failed sign-in counts against the name typed together with the address it came from (a cool-off
after a few), and against the name alone (a lock after SIGNIN_LOCKOUT_FAILURES). Colleagues who share
a school's address each have their own count. Names are counted whether or not an account has them,
so a refusal never tells a guesser that an account exists.
"""

from dataclasses import dataclass
from datetime import timedelta
from ipaddress import ip_address

from django.conf import settings
from django.utils import timezone

from ..models import SignInAttempt

Kind = SignInAttempt.Kind


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def client_address(request):
    """The client's address: the socket's, or the one UPLIFT_PROXY_COUNT trusted proxies report."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.PROXY_COUNT:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= settings.PROXY_COUNT:
            address = forwarded[-settings.PROXY_COUNT]
    try:
        return str(ip_address(address))
    except ValueError:
        return "0.0.0.0"


def account_key(username):
    return (username or "").strip().lower()[:254]


def _minutes(seconds):
    minutes = max(1, round(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _since(seconds, now):
    return now - timedelta(seconds=seconds)


def signin_refusal(*, username, address, now=None):
    """Why a sign-in must be refused before its password is even checked, or None."""
    now = now or timezone.now()
    failures = SignInAttempt.objects.filter(kind=Kind.FAILURE)
    name = account_key(username)
    if (
        failures.filter(username=name, at__gte=_since(settings.SIGNIN_LOCKOUT_SECONDS, now)).count()
        >= settings.SIGNIN_LOCKOUT_FAILURES
    ):
        return Refusal(
            "locked",
            f"This account is locked after {settings.SIGNIN_LOCKOUT_FAILURES} failed sign-ins. "
            f"It unlocks by itself within {_minutes(settings.SIGNIN_LOCKOUT_SECONDS)}; to sign in "
            "sooner, reset your password with the link below.",
        )
    recent = failures.filter(at__gte=_since(settings.SIGNIN_COOLOFF_SECONDS, now))
    if recent.filter(username=name, address=address).count() >= settings.SIGNIN_COOLOFF_FAILURES:
        return Refusal(
            "cooloff",
            "Too many failed sign-ins for this account. "
            f"Wait {_minutes(settings.SIGNIN_COOLOFF_SECONDS)}, then try again.",
        )
    if recent.filter(address=address).count() >= settings.SIGNIN_ADDRESS_FAILURES:
        return Refusal(
            "address",
            "Too many failed sign-ins from your network. "
            f"Wait {_minutes(settings.SIGNIN_COOLOFF_SECONDS)}, then try again.",
        )
    return None


def _prune(now):
    longest = max(settings.SIGNIN_LOCKOUT_SECONDS, settings.SIGNIN_COOLOFF_SECONDS, 60 * 60)
    SignInAttempt.objects.filter(at__lt=_since(longest, now)).delete()


def signin_failure_record(*, username, address, now=None):
    now = now or timezone.now()
    _prune(now)
    SignInAttempt.objects.create(kind=Kind.FAILURE, username=account_key(username), address=address, at=now)


def signin_failures_clear(*, username):
    """A successful sign-in or a password reset ends an account's lock and cool-offs."""
    SignInAttempt.objects.filter(kind=Kind.FAILURE, username=account_key(username)).delete()


def reset_refusal(*, address, now=None):
    """Too many reset requests from one address: refused openly (it says nothing about any account)."""
    now = now or timezone.now()
    hour_ago = _since(60 * 60, now)
    requests = SignInAttempt.objects.filter(kind=Kind.RESET, address=address, at__gte=hour_ago)
    if requests.count() >= settings.PASSWORD_RESET_ADDRESS_LIMIT:
        return Refusal(
            "reset_address", "Too many password reset requests from your network. Try again in an hour."
        )
    return None


def reset_request_record(*, email, address, now=None):
    """Count a reset request; False when this email has had its hourly share of reset emails.

    Over the limit the page still says "if an account uses that address, we have sent a link", so
    the answer is the same whether or not the account exists.
    """
    now = now or timezone.now()
    _prune(now)
    email = account_key(email)
    earlier = SignInAttempt.objects.filter(
        kind=Kind.RESET, username=email, at__gte=_since(60 * 60, now)
    ).count()
    SignInAttempt.objects.create(kind=Kind.RESET, username=email, address=address, at=now)
    return earlier < settings.PASSWORD_RESET_EMAIL_LIMIT
