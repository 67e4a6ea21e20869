"""Sign-in signals: count failures for the throttle; a success clears the account's count."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import middleware, throttle


@receiver(user_login_failed, dispatch_uid="uplift_signin_failed")
def _failed(sender, credentials, request=None, **kwargs):
    if request is None or getattr(request, "uplift_signin_refusal", None) is not None:
        # Attempts refused by the throttle are not counted, or a lock would never lift.
        return
    throttle.signin_failure_record(
        username=credentials.get("username", ""), address=throttle.client_address(request)
    )


@receiver(user_logged_in, dispatch_uid="uplift_signin_succeeded")
def _signed_in(sender, request, user, **kwargs):
    throttle.signin_failures_clear(username=user.get_username())
    middleware.remember_app(request, user)
