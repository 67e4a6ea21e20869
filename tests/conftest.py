import pytest

# Real-service fixtures (celery_worker_process, celery_beat_process): see tests/celery_worker.py.
# Skips fail the run under `make test`: see tests/strict_skips.py.
pytest_plugins = ["tests.strict_skips", "tests.celery_worker", "tests.personas"]


@pytest.fixture(autouse=True)
def _celery_eager_unless_real_worker(request):
    """Tasks run in-process in tests, even when `make test` provides a broker, except in tests that use a
    real worker (marker `celery_worker`), which exercise the broker for real."""
    from config.celery import app

    if request.node.get_closest_marker("celery_worker"):
        previous = app.conf.task_always_eager
        app.conf.task_always_eager = False
        yield
        app.conf.task_always_eager = previous
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Stored files (report PDFs, ZIPs) go to a folder of the test's own, never the checkout's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def browser_page(monkeypatch):
    """A 1280 px page in headless Chromium; the test fails if the page throws a JavaScript error."""
    from tests import browser

    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
    # synchronous. Scoped to these tests so it never leaks into, say, `check --deploy` subprocesses.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        chromium = browser.launch(p)
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        chromium.close()
        assert not errors, errors
