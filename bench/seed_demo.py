"""How long seed_demo takes to build the demo school (BENCH_PUPILS, default 1,500; budget: under 60 s
for 1,500 pupils, in proportion for other sizes). Replaces the demo in the configured database."""

import sys
import time

from _setup import PUPILS, setup, verdict

setup(ensure_demo=False)

from django.core.management import call_command  # noqa: E402

from tracking.models import GradeEntry, Pupil  # noqa: E402

started = time.perf_counter()
# Riverside alone: the benchmarks after this one measure the one demo school at its stated size.
call_command("seed_demo", "--pupils", str(PUPILS), "--hillside-pupils", "0", verbosity=0)
elapsed = time.perf_counter() - started
pupils, grades = Pupil.objects.count(), GradeEntry.objects.count()
budget = 60 * max(1, PUPILS / 1500)
print(f"seed_demo {PUPILS} pupils: {elapsed:.1f} s ({pupils} pupils, {grades} grades), budget {budget:.0f} s")
sys.exit(verdict(elapsed < budget and pupils == PUPILS))
