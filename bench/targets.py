"""Target generation for the whole demo school: 1,500 pupils x their subjects, from the flight paths.

Budget: under 3 s. Assumes the demo (`manage.py seed_demo`); works on a throwaway copy of the targets
inside a transaction that is rolled back, so the demo is left as it was.
  .venv/bin/python bench/targets.py
"""

import statistics
import sys
import time

from _setup import setup, verdict

setup()

from django.db import transaction  # noqa: E402

from tracking.models import School, Subject, Target, TeachingGroup, YearGroup  # noqa: E402
from tracking.targets.generation import target_generate  # noqa: E402


class Rollback(Exception):
    pass


def run_once(school, mode):
    """Generate for every year group; returns (seconds, targets written)."""
    try:
        with transaction.atomic():
            if mode == "create":
                Target.objects.filter(school=school).delete()
            else:
                # Regenerate: every target proposed, so each one is compared and most updated.
                Target.objects.filter(school=school).update(status="proposed", source="imported")
            years = list(YearGroup.objects.filter(school=school))
            estimates = {}
            if mode == "fft-all":
                # Every pupil in every subject (1,500 x 12): an FFT file covering the whole school.
                Target.objects.filter(school=school).delete()
                subjects = list(Subject.objects.filter(school=school).select_related("scale"))
                middle = {
                    s.pk: s.scale.values.order_by("rank")[s.scale.values.count() // 2] for s in subjects
                }
                for pk, year_id in school.pupils.filter(is_active=True).values_list("pk", "year_group_id"):
                    for subject in subjects:
                        estimates.setdefault(year_id, {})[(pk, subject.pk)] = middle[subject.pk]
            start = time.perf_counter()
            written = 0
            for year in years:
                if mode == "fft-all":
                    if year.pk not in estimates:
                        continue
                    result = target_generate(
                        school=school, year_group=year, source="fft", estimates=estimates[year.pk], by=None
                    )
                else:
                    result = target_generate(school=school, year_group=year, source="flightpath", by=None)
                written += result.total
            elapsed = time.perf_counter() - start
            raise Rollback((elapsed, written))
    except Rollback as done:
        return done.args[0]


def main():
    school = School.objects.get(is_demo=True)
    pupils = school.pupils.filter(is_active=True).count()
    pairs = (
        TeachingGroup.pupils.through.objects.filter(
            teachinggroup__school=school, teachinggroup__academic_year__is_current=True
        )
        .values("pupil_id", "teachinggroup__subject_id")
        .distinct()
        .count()
    )
    print(f"Demo school: {pupils} pupils, {pairs} pupil-subject pairs")
    worst = 0.0
    for mode in ("create", "regenerate", "fft-all"):
        runs = [run_once(school, mode) for _ in range(3)]
        times = [t for t, _ in runs]
        worst = max(worst, statistics.median(times))
        print(
            f"{mode:>10}: {runs[0][1]} targets written (+ one audit row each); "
            f"median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms (budget 3000 ms)"
        )
    return worst < 3


def approval_screen():
    """Render time and query count of the approval screen for the biggest year group, as SLT."""
    from _setup import timed
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from tracking.models import User

    client = Client()
    client.force_login(User.objects.get(username="slt"))
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for year in (7, 11):
            url = f"/targets/?year={year}"
            queries = []

            def count(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                assert client.get(url).status_code == 200
            median, p90 = timed(lambda url=url: client.get(url), runs=5)
            print(
                f"approval screen Year {year}: median {median:.0f} ms, p90 {p90:.0f} ms, "
                f"{len(queries)} queries"
            )


if __name__ == "__main__":
    ok = main()
    approval_screen()
    sys.exit(verdict(ok))
