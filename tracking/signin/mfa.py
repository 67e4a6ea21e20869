"""Two-step sign-in: an authenticator app (TOTP) with single-use recovery codes, on django-otp.

Who must use it: staff when MFA_REQUIRED_FOR_STAFF (production by default, a setting so a demo can
leave it optional), everyone who opens the admin, and anyone who has set it up for themselves.
"""

import base64
import io
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import permissions

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def has_app(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_set_up(user, path):
    """True when this user may go no further than setting up two-step sign-in."""
    if path.startswith(resolve_url("admin:index")):
        return True
    return settings.MFA_REQUIRED_FOR_STAFF and permissions.is_staff_member(user)


def pending_app(*, user):
    """The unconfirmed authenticator this user is setting up (one at a time, made on first ask)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def qr_code_data_uri(device):
    """The otpauth:// link as an SVG QR code in a data: URI (CSP allows data: images, not inline SVG)."""
    import segno

    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def secret_for_typing(device):
    """The key in base32, in groups of four, for people who type it in rather than scan."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean(token):
    return "".join((token or "").split()).lower().replace("-", "")


@transaction.atomic
def app_confirm(*, request, device, token):
    """Confirm a pending authenticator with its first code. Returns fresh recovery codes, or None."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
    if not device.verify_token(_clean(token)):
        return None
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_replace(user=request.user)
    django_otp.login(request, device)
    return codes


@transaction.atomic
def recovery_codes_replace(*, user):
    """New single-use recovery codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(*, request, token):
    """Check a code from the app or a recovery code; mark the session verified on success.

    django-otp slows repeated wrong codes per device (each failure doubles the wait).
    """
    token = _clean(token)
    user = request.user
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            device_id = device.persistent_id
            verified = django_otp.verify_token(user, device_id, token)
            if verified is not None:
                django_otp.login(request, verified)
                return verified
    return None


@transaction.atomic
def mfa_remove(*, user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def url_with_next(name, next_url):
    return f"{resolve_url(name)}?{urlencode({'next': next_url})}" if next_url else resolve_url(name)
