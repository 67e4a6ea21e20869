"""How long seed_demo takes to build the 1,500-pupil demo school (budget: under 60 s)."""

import time

from _setup import setup

setup(ensure_demo=False)

from django.core.management import call_command  # noqa: E402

from tracking.models import GradeEntry, Pupil  # noqa: E402

started = time.perf_counter()
call_command("seed_demo", "--pupils", "1500", verbosity=0)
elapsed = time.perf_counter() - started
pupils, grades = Pupil.objects.count(), GradeEntry.objects.count()
print(f"seed_demo 1500 pupils: {elapsed:.1f} s ({pupils} pupils, {grades} grades)")
