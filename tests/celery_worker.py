"""Pytest fixtures that run a real Celery worker / beat as subprocesses against the test database.

Loaded from tests/conftest.py (``pytest_plugins``). Needs CELERY_BROKER_URL (tests/run.sh starts
a throwaway Redis and sets it) and a server database in DATABASE_URL (tests/run.sh sets that too).

The worker imports ``tests.celery_probe``, whose task ``uplift_tests.record_probe`` writes a row
that a test can look for, proving the worker uses the same test database.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
LOG_TAIL_CHARS = 20_000

_LOGS = pytest.StashKey[list]()


def _die_with_parent():
    """Runs in the child before exec: SIGTERM it if pytest dies without tearing it down (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG


def _require_broker():
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker:
        pytest.skip("CELERY_BROKER_URL is not set: no broker for a real Celery worker (use `make test`)")
    return broker


def _test_database_url():
    """DATABASE_URL with its database name swapped for the test database pytest-django created."""
    from django.db import connections

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        pytest.fail(
            "a real Celery worker needs a server database shared with pytest: set DATABASE_URL "
            "(`make test` / tests/run.sh starts a throwaway PostgreSQL and sets it)",
            pytrace=False,
        )
    name = connections["default"].settings_dict["NAME"]
    return urlunsplit(urlsplit(url)._replace(path="/" + quote(str(name), safe="")))


def _tail(path, limit=LOG_TAIL_CHARS):
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as exc:
        return f"<cannot read {path}: {exc}>"
    return text if len(text) <= limit else "...\n" + text[-limit:]


class CeleryProcess:
    """A celery subprocess whose output goes to ``log_path``."""

    def __init__(self, kind, argv, env, log_path):
        self.kind = kind
        self.argv = argv
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def log(self):
        return _tail(self.log_path)

    def fail(self, message):
        pytest.fail(
            f"{message}\n--- celery {self.kind} log ({self.log_path}) ---\n{self.log()}", pytrace=False
        )

    def wait_for(self, predicate, what, timeout=READY_TIMEOUT, interval=0.1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if not self.alive():
                self.fail(f"celery {self.kind} exited with code {self.proc.returncode} before {what}")
            time.sleep(interval)
        self.fail(f"celery {self.kind} did not {what} within {timeout:.0f}s")

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)  # warm shutdown: finishes the current task
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.wait()


class CeleryWorkerProcess(CeleryProcess):
    def __init__(self, argv, env, log_path, hostname):
        super().__init__("worker", argv, env, log_path)
        self.hostname = hostname

    def ping(self, timeout=1.0):
        """Replies to a broadcast ping addressed to this worker, e.g. [{hostname: {'ok': 'pong'}}]."""
        from config.celery import app

        with app.connection_for_write() as conn:
            return app.control.ping(destination=[self.hostname], timeout=timeout, connection=conn)

    def send_task(self, name, args=None, kwargs=None, **options):
        """Publish a task by name on a short-lived connection (no pooled sockets left open)."""
        from config.celery import app

        with app.connection_for_write() as conn:
            return app.send_task(name, args=args, kwargs=kwargs, connection=conn, **options)


def _start(request, process):
    request.node.stash.setdefault(_LOGS, []).append((f"celery {process.kind} log", process.log_path))
    request.addfinalizer(process.stop)
    return process


def _base_env(database_url, extra):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@pytest.fixture
def celery_env():
    """Extra environment for the worker and beat subprocesses (override in a test module), e.g. a mail
    server: {"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", ...}."""
    return {}


@pytest.fixture
def celery_worker_process(request, transactional_db, tmp_path_factory, celery_env):
    """A real ``celery -A config worker --pool=solo --concurrency=1`` on the test database.

    Function-scoped: each test gets a fresh worker (about 2 s), and queued messages are purged at
    start, so tasks enqueued by earlier tests never run here.

    The worker is a separate process, so it only sees COMMITTED rows: mark tests
    ``@pytest.mark.django_db(transaction=True)`` (this fixture requests ``transactional_db`` and
    forces that anyway) and ``@pytest.mark.celery_worker``. The worker runs with DATABASE_URL
    pointing at pytest-django's test database and the same CELERY_BROKER_URL as the test.

    Yields a ``CeleryWorkerProcess``: ``.hostname``, ``.ping()``, ``.send_task(name, args)``,
    ``.wait_for(predicate, what)``, ``.log()``. Its log is attached to the report of a failing test.
    Skips when CELERY_BROKER_URL is not set.
    """
    _require_broker()
    hostname = f"uplift-test-{uuid.uuid4().hex[:10]}@localhost"
    argv = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool=solo", "--concurrency=1", "-l", "info", "-n", hostname,
        "--purge", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--include", "tests.celery_probe",
    ]  # fmt: skip
    log_path = tmp_path_factory.mktemp("celery-worker") / "worker.log"
    env = _base_env(_test_database_url(), celery_env)
    worker = _start(request, CeleryWorkerProcess(argv, env, log_path, hostname))
    worker.wait_for(lambda: bool(worker.ping(timeout=0.5)), "answer a ping")
    yield worker


@pytest.fixture
def celery_beat_process(request, django_db_setup, tmp_path_factory, celery_env):
    """A real ``celery -A config beat`` with a throwaway schedule file (max interval 1 s).

    Beat only publishes due tasks to the broker; add ``celery_worker_process`` to run them. Yields a
    ``CeleryProcess`` (``.log()``, ``.wait_for(...)``) once beat has logged "beat: Starting...".
    Skips when CELERY_BROKER_URL is not set.
    """
    _require_broker()
    run_dir = tmp_path_factory.mktemp("celery-beat")
    argv = [
        sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info",
        "--schedule", str(run_dir / "celerybeat-schedule"), "--pidfile", str(run_dir / "beat.pid"),
        "--max-interval", "1",
    ]  # fmt: skip
    url = _test_database_url() if os.environ.get("DATABASE_URL") else ""
    env = _base_env(url, celery_env)
    if not url:
        del env["DATABASE_URL"]
    beat = _start(request, CeleryProcess("beat", argv, env, run_dir / "beat.log"))
    beat.wait_for(lambda: "beat: Starting..." in beat.log(), "start")
    yield beat


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and report.when in ("call", "teardown"):
        for label, path in item.stash.get(_LOGS, []):
            report.sections.append((f"Captured {label}", _tail(path)))
    return report
