"""The one authentication backend: Django's, behind the sign-in throttle (so the admin's sign-in,
the site's and any other caller of authenticate() are all throttled)."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import throttle


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username is not None:
            refusal = throttle.signin_refusal(username=username, address=throttle.client_address(request))
            if refusal is not None:
                # Remembered for the form's message; PermissionDenied stops every other backend.
                request.uplift_signin_refusal = refusal
                raise PermissionDenied(refusal.message)
        return super().authenticate(request, username=username, password=password, **kwargs)
