"""Sign-in signals: count failures for the throttle, clear them on success, and write the security
log (sign-ins, failures, refusals and locks, sign-outs) through the audit module."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tracking import audit

from . import middleware, throttle


def _account(username):
    return get_user_model().objects.filter(username=username).first() if username else None


def security_event(action, *, request, account=None, by=None, **details):
    """One security log entry: about `account` (a User, or None for a name no account has)."""
    if request is not None:
        details.setdefault("address", throttle.client_address(request))
    audit.record(
        action=action,
        obj=account,
        by=by,
        after=details,
        via="sign-in",
        school_id=account.school_id if account is not None else None,
    )


@receiver(user_login_failed, dispatch_uid="uplift_signin_failed")
def _failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    username = credentials.get("username", "")
    account = _account(username)
    refusal = getattr(request, "uplift_signin_refusal", None)
    if refusal is not None:
        # Refused by the throttle: logged, but not counted, or a lock would never lift.
        security_event("security.signin.refused", request=request, account=account, username=username,
                       reason=refusal.code)  # fmt: skip
        return
    address = throttle.client_address(request)
    throttle.signin_failure_record(username=username, address=address)
    security_event("security.signin.failed", request=request, account=account, username=username)
    now_refused = throttle.signin_refusal(username=username, address=address)
    if now_refused is not None and now_refused.code == "locked":
        security_event("security.account.locked", request=request, account=account, username=username)


@receiver(user_logged_in, dispatch_uid="uplift_signin_succeeded")
def _signed_in(sender, request, user, **kwargs):
    throttle.signin_failures_clear(username=user.get_username())
    middleware.remember_app(request, user)
    security_event("security.signin.succeeded", request=request, account=user, by=user)


@receiver(user_logged_out, dispatch_uid="uplift_signed_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        security_event("security.signout", request=request, account=user, by=user)
