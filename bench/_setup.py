"""Shared start-up for benchmark scripts: Django set up against the configured database (DATABASE_URL,
else the development SQLite), with the demo school built if it is missing and checked for its size.

BENCH_PUPILS (default 1500) is the size of demo school the budgets are for: a benchmark refuses to run
on a demo of another size rather than print figures that cannot be compared."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
PUPILS = int(os.environ.get("BENCH_PUPILS", "1500"))


def setup(ensure_demo=True):
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if ensure_demo:
        from tracking.models import Pupil, School

        if not School.objects.filter(is_demo=True).exists():
            call_command("seed_demo", "--pupils", str(PUPILS), "--hillside-pupils", "0", verbosity=0)
        pupils = Pupil.objects.filter(school__is_demo=True).count()
        if pupils != PUPILS:
            raise SystemExit(
                f"The demo school has {pupils} pupils; these budgets are for {PUPILS}. "
                f"Rebuild it (manage.py seed_demo --pupils {PUPILS} --hillside-pupils 0) "
                f"or set BENCH_PUPILS={pupils}."
            )
        # Timed as the server and the workers run: after config.startup.settle (config/wsgi.py).
        from config.startup import settle

        settle()


def timed(func, runs=20):
    """Median and 90th-percentile milliseconds of `runs` calls."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.9) - 1)]


def verdict(ok):
    """Print the overall verdict and return the exit status for it."""
    print("Budgets:", "met" if ok else "MISSED")
    return 0 if ok else 1
