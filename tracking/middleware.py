"""Session limits for staff, a strict Content-Security-Policy, and "busy, try again" for a locked database."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.template.loader import render_to_string

from tracking import permissions
from tracking.lib.db import database_busy

IDLE_KEY = "uplift_last_seen"
STARTED_KEY = "uplift_started"
# The idle clock is kept to the minute: a session written on every request would make every page
# view a database write, and on SQLite writers queue for one lock.
IDLE_RESOLUTION_SECONDS = 60
BUSY_RETRY_SECONDS = 5
logger = logging.getLogger(__name__)


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
            if now - last_seen >= IDLE_RESOLUTION_SECONDS or IDLE_KEY not in session:
                session[IDLE_KEY] = now
        return self.get_response(request)


class DatabaseBusyMiddleware:
    """A request that could not get the database in time answers 503 "try again", never a 500.

    Whatever it was writing was rolled back with its transaction. Pages that hold typed values (the
    marksheet) catch this themselves and show the values again; this is the net under everything else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_busy(exception):
            return None
        logger.warning("Database busy: %s %s answered 503 (%s)", request.method, request.path, exception)
        message = "The database is busy, so nothing was saved. Please try again in a moment."
        if request.headers.get("HX-Request"):
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        else:
            # Rendered without the request: the navigation's context processor would ask the database.
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response


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
