"""Uplift settings. Every value comes from the environment; with nothing set Uplift runs on SQLite
with Celery tasks executed eagerly, so a bare machine can try it."""

from pathlib import Path

import dj_database_url

from . import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("UPLIFT_VAR_DIR", str(BASE_DIR / "var")))

# Fail closed: a server started with nothing set (gunicorn config.wsgi) runs in production mode and
# refuses to start without a secret key and allowed hosts. manage.py, the Makefile and the test suite
# set DJANGO_DEBUG=true when it is unset, so a bare machine can still run, test and try Uplift.
DEBUG = env.boolean("DJANGO_DEBUG", default=False)
_DEV_KEY = "dev-only-insecure-key-set-DJANGO_SECRET_KEY-in-production-0123456789"
SECRET_KEY = env.string("DJANGO_SECRET_KEY", _DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    raise env.SettingError("DJANGO_SECRET_KEY (or _FILE) must be set when DJANGO_DEBUG is false")
if not DEBUG and SECRET_KEY == _DEV_KEY:
    raise env.SettingError("DJANGO_SECRET_KEY is the public development key; set a secret one")
ALLOWED_HOSTS = env.listing("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise env.SettingError("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is false")
CSRF_TRUSTED_ORIGINS = env.listing("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# Where staff and families reach Uplift: links in emails (sent by the worker, with no request) start here.
SITE_URL = env.string(
    "UPLIFT_SITE_URL", "http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
).rstrip("/")

INSTALLED_APPS = [
    "config.apps.UpliftAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tracking",
    "mentoring",
    "interventions",
    "reports",
]

MIDDLEWARE = [
    "tracking.middleware.EmbeddedBeatMiddleware",  # make run only; removes itself
    "tracking.middleware.UploadLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before anything asks the permissions module: which school a trust login is working in.
    "tracking.school.switcher.TrustSchoolMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tracking.middleware.SessionLimitsMiddleware",
    "tracking.signin.middleware.TwoStepMiddleware",
    "tracking.middleware.NoStoreMiddleware",
    "tracking.middleware.DownloadLogMiddleware",
    "tracking.middleware.DatabaseBusyMiddleware",
    "tracking.middleware.HeldStandingsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tracking.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracking.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = env.string("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # No JIT compilation: a page's queries run in milliseconds, and at a bigger school the planner's
        # cost estimates pass the JIT threshold and compiling takes 100-250 ms per query to save a few
        # (a 6,000-pupil home page went from 390 to 150 ms of database time). Options given in
        # DATABASE_URL (?options=...) follow it, so a deployment can still choose otherwise.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"-c jit=off {options.get('options', '')}".strip()
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # SQLite for concurrent writers: WAL lets readers and one writer work at once; IMMEDIATE takes the
    # write lock when a transaction starts (a deferred one that reads and then writes fails at once,
    # whatever the timeout); the busy timeout queues writers instead of failing them.
    SQLITE_BUSY_SECONDS = env.integer("UPLIFT_SQLITE_BUSY_SECONDS", 30)
    # Each connection kept for a minute (as PostgreSQL's) with a page cache of 64 MB and the file mapped
    # into memory: a new connection per request with SQLite's default 2 MB cache read every page it
    # needed afresh (a fifth of a dashboard's time at 6,000 pupils).
    SQLITE_PRAGMAS = ("journal_mode=WAL", "cache_size=-65536", "mmap_size=268435456", "temp_store=MEMORY")
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "uplift.sqlite3",
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "timeout": SQLITE_BUSY_SECONDS,
                "transaction_mode": "IMMEDIATE",
                "init_command": "; ".join(f"PRAGMA {pragma}" for pragma in SQLITE_PRAGMAS),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tracking.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "tracking.signin.backends.ThrottledModelBackend",
    "tracking.signin.backends.SchoolAdminBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database so a Redis outage never logs anyone out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.integer("UPLIFT_SESSION_MAX_SECONDS", 12 * 60 * 60)
STAFF_IDLE_TIMEOUT = env.integer("UPLIFT_STAFF_IDLE_SECONDS", 30 * 60)
FAMILY_IDLE_TIMEOUT = env.integer("UPLIFT_FAMILY_IDLE_SECONDS", 60 * 60)

# Two-step sign-in (an authenticator app, with recovery codes). Always required for the admin;
# required for staff in production; a demo may leave it optional (anyone may still turn it on).
MFA_REQUIRED_FOR_STAFF = env.boolean("UPLIFT_MFA_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env.string("UPLIFT_MFA_ISSUER", "Uplift")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Sign-in throttling, in every mode (the demo included). A wrong password counts against the account
# typed *and* the address it came from, so colleagues behind one school address are not held up.
SIGNIN_COOLOFF_FAILURES = env.integer("UPLIFT_SIGNIN_COOLOFF_FAILURES", 5)
SIGNIN_COOLOFF_SECONDS = env.integer("UPLIFT_SIGNIN_COOLOFF_SECONDS", 15 * 60)
SIGNIN_LOCKOUT_FAILURES = env.integer("UPLIFT_SIGNIN_LOCKOUT_FAILURES", 10)
SIGNIN_LOCKOUT_SECONDS = env.integer("UPLIFT_SIGNIN_LOCKOUT_SECONDS", 60 * 60)
SIGNIN_ADDRESS_FAILURES = env.integer("UPLIFT_SIGNIN_ADDRESS_FAILURES", 100)
PASSWORD_RESET_ADDRESS_LIMIT = env.integer("UPLIFT_PASSWORD_RESET_ADDRESS_LIMIT", 10)
PASSWORD_RESET_EMAIL_LIMIT = env.integer("UPLIFT_PASSWORD_RESET_EMAIL_LIMIT", 3)
# How many reverse proxies (e.g. nginx) stand in front: the client address is that many entries from
# the right of X-Forwarded-For. 0 trusts only the socket's address.
PROXY_COUNT = env.integer("UPLIFT_PROXY_COUNT", 0)

# Uploads: the largest request body accepted (MIS imports allow UPLIFT_IMPORT_MAX_MB), refused on its
# Content-Length before anything is read (tracking.middleware.UploadLimitMiddleware).
UPLOAD_MAX_BYTES = env.integer("UPLIFT_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 64 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 64 * 1024

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.string("UPLIFT_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.string("UPLIFT_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env.string("UPLIFT_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

EMAIL_BACKEND = env.string(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.string("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env.string("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.string("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.boolean("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.string("DJANGO_DEFAULT_FROM_EMAIL", "uplift@localhost")

# Celery: with no broker, tasks run eagerly in the web process.
CELERY_BROKER_URL = env.string("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# With no broker, `make run` sets this so background work (report batches, RAG sheets, imports) runs
# on one thread beside the web server: pages answer at once and progress bars move, as with a worker.
# Off, eager tasks run inside the request that queued them (the tests rely on that).
UPLIFT_EMBEDDED_WORKER = CELERY_TASK_ALWAYS_EAGER and env.boolean("UPLIFT_EMBEDDED_WORKER", False)
CELERY_RESULT_BACKEND = env.string("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request must not hang when Redis is down: fail fast and let the scheduler catch up.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
UPLIFT_SCHEDULER_SECONDS = env.integer("UPLIFT_SCHEDULER_SECONDS", 300)
# Largest file an MIS import (CTF, CSV, XLSX) accepts; a CTF for a whole school runs to a few MB.
UPLIFT_IMPORT_MAX_BYTES = env.integer("UPLIFT_IMPORT_MAX_MB", 20) * 1024 * 1024
# Spreadsheet imports with more rows than this run in the Celery worker, with progress on their page.
UPLIFT_IMPORT_BACKGROUND_ROWS = env.integer("UPLIFT_IMPORT_BACKGROUND_ROWS", 2000)
# An uploaded file waiting for its columns or its commit is personal data: kept this many days, then
# dropped (the data manager uploads it again). A background job still queued or running this many
# minutes after it was made has stopped (its worker died): it is rejected, with nothing saved.
UPLIFT_IMPORT_KEEP_DAYS = env.integer("UPLIFT_IMPORT_KEEP_DAYS", 7)
UPLIFT_IMPORT_TIMEOUT_MINUTES = env.integer("UPLIFT_IMPORT_TIMEOUT_MINUTES", 60)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.boolean("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only sent over HTTPS, to this exact host, for every path: no subdomain
    # can set or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = env.integer("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.boolean("DJANGO_SECURE_HSTS_PRELOAD", True)
    # Sessions end at browser close in production; the 12-hour absolute limit still applies.
    SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Django's form renderer, with <select> and <input> widgets written in Python (same HTML, far cheaper).
FORM_RENDERER = "tracking.lib.form_renderer.FormRenderer"

DJANGO_TABLES2_TEMPLATE = "django_tables2/uplift.html"
FILTERS_EMPTY_CHOICE_LABEL = "Any"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.string("UPLIFT_LOG_LEVEL", "INFO")},
}
