"""The suite proves what it claims: under `make test` every service is real and nothing is skipped."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

from tests.strict_skips import SERVICES

ROOT = Path(__file__).resolve().parent.parent

SKIPPING = """
    import pytest

    def test_skips_in_its_body():
        pytest.skip("no broker")

    @pytest.mark.skipif(True, reason="no chromium")
    def test_skipped_by_a_marker():
        pass

    @pytest.fixture
    def worker():
        pytest.skip("no worker")

    def test_skipped_by_a_fixture(worker):
        pass

    @pytest.mark.xfail(reason="known")
    def test_expected_to_fail():
        assert False

    def test_passes():
        pass
"""


def _run_alone(tmp_path, services):
    """Run pytest with only the strict-skips plugin (no Django) on a file of skipping tests."""
    (tmp_path / "test_skipping.py").write_text(textwrap.dedent(SKIPPING))
    (tmp_path / "test_import_skip.py").write_text('import pytest\n\npytest.importorskip("no_such_module")\n')
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {**os.environ, "UPLIFT_TEST_SERVICES": services, "PYTHONPATH": str(ROOT)}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # no pytest-django, hypothesis, ...: only the plugin
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "tests.strict_skips",
        "-p",
        "no:cacheprovider",
        "-q",
        "--continue-on-collection-errors",
        "-c",
        str(tmp_path / "pytest.ini"),
        str(tmp_path),
    ]
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout.splitlines()[-1]


def test_under_make_test_every_kind_of_skip_fails_the_run(tmp_path):
    code, summary = _run_alone(tmp_path, services="1")
    assert code == 1
    # Body skip: failed; marker, fixture and module-level skips: errors; xfail untouched.
    assert summary.startswith("1 failed, 1 passed, 1 xfailed, 3 errors"), summary


def test_without_services_the_same_tests_skip(tmp_path):
    code, summary = _run_alone(tmp_path, services="0")
    assert code == 0
    assert summary.startswith("1 passed, 4 skipped, 1 xfailed"), summary


@pytest.mark.skipif(not SERVICES, reason="only `make test` promises real services")
@pytest.mark.django_db
def test_make_test_provides_postgresql_redis_chromium_and_poppler():
    assert connection.vendor == "postgresql"
    assert os.environ["CELERY_BROKER_URL"].startswith("redis://")
    for tool in ("chromium", "pdftotext"):
        assert shutil.which(tool), f"{tool} is missing"
    import playwright.sync_api  # noqa: F401
