"""Shared start-up for benchmark scripts: Django set up against the configured database (DATABASE_URL,
else the development SQLite), with the demo school built if it is missing."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def setup(ensure_demo=True):
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if ensure_demo:
        from tracking.models import School

        if not School.objects.filter(is_demo=True).exists():
            call_command("seed_demo", verbosity=0)


def timed(func, runs=20):
    """Median and 90th-percentile milliseconds of `runs` calls."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]
