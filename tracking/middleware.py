"""Session limits, no-store for signed-in pages, upload size, a strict Content-Security-Policy,
"busy, try again" for a locked database, and `make run`'s embedded scheduler beat."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from tracking import permissions
from tracking.lib import queue
from tracking.lib.db import database_busy
from tracking.standing import held

IDLE_KEY = "uplift_last_seen"
STARTED_KEY = "uplift_started"
# The idle clock is kept to the minute: a session written on every request would make every page
# view a database write, and on SQLite writers queue for one lock.
IDLE_RESOLUTION_SECONDS = 60
BUSY_RETRY_SECONDS = 5
logger = logging.getLogger(__name__)


class EmbeddedBeatMiddleware:
    """`make run` only (UPLIFT_EMBEDDED_WORKER): starts the scheduler's beat beside the web server.
    Middleware is built once, in the process that serves requests (not runserver's reloader parent),
    which is where the beat belongs; it then leaves the request path."""

    def __init__(self, get_response):
        if settings.UPLIFT_EMBEDDED_WORKER:
            queue.start_embedded_beat(settings.UPLIFT_SCHEDULER_SECONDS)
        raise MiddlewareNotUsed


class HeldStandingsMiddleware:
    """After a request that wrote (not GET or HEAD) and left many held standings stale, they are worked
    out in the background (tracking/standing/held.py), so the next leader to open a dashboard after,
    say, targets are published for a year group does not wait for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and held.many_stale():
            queue.safe_enqueue("tracking.standing.tasks.refresh_held_standings")
        return response


class SessionLimitsMiddleware:
    """Sessions end after STAFF_IDLE_TIMEOUT (staff) or FAMILY_IDLE_TIMEOUT (families) idle seconds,
    and after SESSION_COOKIE_AGE in all.

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
            idle_limit = (
                settings.STAFF_IDLE_TIMEOUT
                if permissions.is_staff_member(user)
                else settings.FAMILY_IDLE_TIMEOUT
            )
            expired = now - started > settings.SESSION_COOKIE_AGE or now - last_seen > idle_limit
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


# Django's admin runs no inline script, but its widgets and templates still use some inline styles.
ADMIN_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


DOWNLOAD_TYPES = (
    "text/csv",
    "application/pdf",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/json",
)


class DownloadLogMiddleware:
    """Every file a signed-in user downloads (exports, CSVs, PDFs, subject access archives) goes into
    the security log, whichever page made it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or response.status_code != 200:
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        disposition = response.get("Content-Disposition", "")
        if disposition or content_type in DOWNLOAD_TYPES:
            from tracking import audit

            school = permissions.school_for(user)
            audit.record(
                action="security.download",
                obj=user,
                by=user,
                via="download",
                after={
                    "path": request.get_full_path()[:300],
                    "file": disposition[:200],
                    "type": content_type,
                },
                school_id=school.pk if school is not None else None,
            )
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = ADMIN_CSP if request.path.startswith("/admin/") else CSP
        response.setdefault("Content-Security-Policy", policy)
        return response


def upload_limit(setting_name):
    """Let a view accept bodies up to the named setting's size in bytes (e.g. large MIS imports)."""

    def decorate(view):
        view.upload_limit_setting = setting_name
        return view

    return decorate


class UploadLimitMiddleware:
    """Refuse a request body larger than its view allows (UPLOAD_MAX_BYTES unless the view says
    otherwise with @upload_limit) on its Content-Length, before a byte of it is read. It is the first
    middleware, so no other one (CSRF reads the form) has touched the body yet."""

    FORM_ROOM = 64 * 1024  # the rest of a multipart form around the file

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        setting_name = getattr(view_func, "upload_limit_setting", "UPLOAD_MAX_BYTES")
        limit = getattr(settings, setting_name)
        if length <= limit + self.FORM_ROOM:
            return None
        body = render_to_string("413.html", {"limit_mb": f"{limit / (1024 * 1024):g}"})
        response = HttpResponse(body, status=413)
        # The unread body must not be taken for the next request on a kept-alive connection.
        response["Connection"] = "close"
        return response


# Pages that carry nothing about pupils and may be cached briefly by the browser.
CACHEABLE_URL_NAMES = {"school_theme_css"}


class NoStoreMiddleware:
    """Nothing a signed-in user is shown or downloads is kept by the browser or a proxy: pupil pages,
    exports and PDFs must not survive in a shared computer's cache after sign-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            match = request.resolver_match
            cacheable = match is not None and match.url_name in CACHEABLE_URL_NAMES
            if not cacheable and "no-store" not in response.get("Cache-Control", ""):
                response.headers.pop("Cache-Control", None)
                add_never_cache_headers(response)
        return response
