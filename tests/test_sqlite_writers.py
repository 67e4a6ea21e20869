"""The embedded default (`make run` with nothing set): SQLite configured for teachers saving at once.

These run Uplift in subprocesses against a throwaway SQLite file, whatever database the suite uses.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sqlite_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    return {**env, "UPLIFT_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings", **extra}


def _run(args, env, timeout=600):
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_embedded_sqlite_uses_wal_immediate_transactions_and_a_busy_timeout(tmp_path):
    probe = (
        "import django, json; django.setup(); from django.db import connection; "
        "c = connection.cursor(); "
        "print(json.dumps([c.execute('PRAGMA journal_mode').fetchone()[0], "
        "c.execute('PRAGMA busy_timeout').fetchone()[0], connection.transaction_mode, "
        "c.execute('PRAGMA cache_size').fetchone()[0], c.execute('PRAGMA mmap_size').fetchone()[0], "
        "connection.settings_dict['CONN_MAX_AGE']]))"
    )
    found = json.loads(_run(["-c", probe], _sqlite_env(tmp_path)).strip().splitlines()[-1])
    assert found[:3] == ["wal", 30000, "IMMEDIATE"]
    # Connections kept between requests, each with a 64 MB page cache and the file mapped into memory.
    assert found[3:] == [-65536, 268435456, 60]


def test_teachers_saving_whole_sheets_at_once_on_sqlite_all_save_and_lose_nothing(tmp_path):
    """The burst from bench/save_burst.py, smaller: 8 teachers press Save together twice on a real
    threaded server. Before WAL and immediate transactions, about half of such saves failed."""
    env = _sqlite_env(tmp_path, BENCH_PUPILS="60")
    _run(["manage.py", "migrate", "--noinput", "-v0"], env)
    _run(["manage.py", "seed_demo", "--pupils", "60", "--hillside-pupils", "0"], env)
    burst = ["--teachers", "8", "--saves", "2", "--workers", "2", "--threads", "4"]
    out = _run(["bench/save_burst.py", *burst], env)
    assert "answers: 16 x HTTP 302\n" in out, out
    assert "missing from the sheet: 0, from the database: 0" in out, out
    # With no busy timeout at all, saves that meet a locked database answer 503 "try again" with
    # every typed value kept, never a 500 (the burst fails on any other answer or a lost value).
    _run(["bench/save_burst.py", *burst, "--busy-ok"], {**env, "UPLIFT_SQLITE_BUSY_SECONDS": "0"})
