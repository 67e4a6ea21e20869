"""Session limits for staff and a strict Content-Security-Policy."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse

from tracking import permissions

IDLE_KEY = "uplift_last_seen"
STARTED_KEY = "uplift_started"


class SessionLimitsMiddleware:
    """Staff sessions end after STAFF_IDLE_TIMEOUT idle seconds and SESSION_COOKIE_AGE in all.

    Work typed into a marksheet is kept by the sheet's own autosave and local draft, so an expiry
    never loses grades.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(STARTED_KEY, now)
            last_seen = session.get(IDLE_KEY, now)
            idle_limit = settings.STAFF_IDLE_TIMEOUT if permissions.is_staff_member(user) else None
            expired = now - started > settings.SESSION_COOKIE_AGE or (
                idle_limit is not None and now - last_seen > idle_limit
            )
            if expired:
                logout(request)
                messages.info(
                    request, "You were signed out after a period of inactivity. Please sign in again."
                )
                if request.htmx:
                    # The page keeps its typed values; the client offers to sign in again.
                    response = HttpResponse("Your session has ended. Sign in again to save.", status=401)
                    response["HX-Trigger"] = "uplift:session-expired"
                    return response
                return redirect_to_login(request.get_full_path())
            # Writing the session on every request is cheap (DB backend) and keeps the idle clock true.
            session[IDLE_KEY] = now
        return self.get_response(request)


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", CSP)
        return response
