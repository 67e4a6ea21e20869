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
