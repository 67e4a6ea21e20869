"""Benchmark: every department's health check for the 1,500-pupil demo school after an assessment
point (budget < 5 s). Builds the demo into the configured database when it has no demo school.

    .venv/bin/python bench/health_checks.py [--runs 5]
"""

import argparse
import statistics
import sys
import time

from _setup import setup

setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tracking.cycle.health import health_checks_generate  # noqa: E402
from tracking.models import GradeEntry, GradeValue, School, TeachingGroup, TrackingCycle  # noqa: E402

BUDGET_SECONDS = 5.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    school = School.objects.get(is_demo=True)
    with transaction.atomic():
        cycle = TrackingCycle.objects.get(school=school, stage="input")
        _complete_the_window(cycle)  # "after the point": every pupil has every grade
        run(cycle, school, args.runs)
        transaction.set_rollback(True)


def _complete_the_window(cycle):
    """Give every enrolled pupil a grade in each subject at the cycle's points (rolled back after)."""
    points = {p.year_group_id: p for p in cycle.points.all()}
    have = set(GradeEntry.objects.filter(point__in=points.values()).values_list("pupil_id", "subject_id"))
    values = {}
    rows = TeachingGroup.pupils.through.objects.filter(
        teachinggroup__academic_year_id=cycle.academic_year_id, teachinggroup__year_group_id__in=points
    ).values_list(
        "pupil_id",
        "teachinggroup_id",
        "teachinggroup__subject_id",
        "teachinggroup__year_group_id",
        "teachinggroup__subject__scale_id",
    )
    new = []
    for n, (pupil_id, group_id, subject_id, year_group_id, scale_id) in enumerate(rows):
        if (pupil_id, subject_id) in have:
            continue
        if scale_id not in values:
            values[scale_id] = list(GradeValue.objects.filter(scale_id=scale_id).order_by("rank"))
        scale = values[scale_id]
        new.append(
            GradeEntry(
                school_id=cycle.school_id,
                pupil_id=pupil_id,
                subject_id=subject_id,
                teaching_group_id=group_id,
                point=points[year_group_id],
                current=scale[(n * 7) % len(scale)],
            )
        )
    GradeEntry.objects.bulk_create(new, batch_size=5000)


def run(cycle, school, runs):
    grades = GradeEntry.objects.filter(point__cycles=cycle).count()
    pupils = school.pupils.count()
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            checks = health_checks_generate(cycle=cycle)
            timings.append(time.perf_counter() - start)
    median = statistics.median(timings)
    print(f"health checks: {cycle.name}, {pupils} pupils, {grades} grade entries, {len(checks)} departments")
    print(
        f"median {median * 1000:.0f} ms, best {min(timings) * 1000:.0f} ms, "
        f"worst {max(timings) * 1000:.0f} ms "
        f"over {runs} runs; {len(queries.captured_queries)} queries per run; budget {BUDGET_SECONDS:.0f} s"
    )
    if median > BUDGET_SECONDS:
        print("OVER BUDGET")
        sys.exit(1)


if __name__ == "__main__":
    main()
