"""Under `make test`, a skipped test is a failed test.

tests/run.sh exports UPLIFT_TEST_SERVICES=1 after starting PostgreSQL and Redis, and makes sure Chromium and
poppler are installed. There a skip can only mean a browser, worker or PostgreSQL test proved nothing, so
these hooks report it as a failure (an error when the skip came from a fixture or a skipif marker).
Outside `make test` (plain `pytest` on SQLite, no broker) such tests skip as usual. Expected failures
(xfail) are left alone. Loaded from tests/conftest.py; it imports nothing of Uplift, so
tests/test_suite_guards.py runs it on its own.
"""

import os

import pytest

_FLAG = os.environ.get("UPLIFT_TEST_SERVICES", "")
if _FLAG not in ("", "0", "1"):  # a typo must not quietly allow skips again
    raise pytest.UsageError(f"UPLIFT_TEST_SERVICES={_FLAG!r}: use 1 (services present) or 0")
SERVICES = _FLAG == "1"
MESSAGE = (
    "skipped under `make test` (UPLIFT_TEST_SERVICES=1), where PostgreSQL, Redis, Chromium and poppler are "
    "all present: a skip here hides a test that proved nothing"
)


def _fail(report):
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"{MESSAGE}.\nReason given: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        _fail(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    if SERVICES and report.skipped:  # pytest.skip(allow_module_level=True) or importorskip at import
        _fail(report)
    return report
