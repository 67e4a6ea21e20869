"""Benchmark: the intervention rules for every pupil of the demo school (1,500 pupils x ~12 subjects).

Runs the active preset (Longfield on the demo) for each year group's fullest current-year point,
topping up the Key Stage 3 points (whose window is still open on the demo) so every pupil has a
grade in every subject they take, first from no flags (every flag raised) and then again (the
idempotent re-run), inside a transaction that is rolled back so the demo database is left as it
was. Budget: under 3 s for all pupils.

    .venv/bin/python bench/rules.py [--repeat 5] [--preset laude]
"""

import argparse
import random
import statistics
import sys
import time

from _setup import setup, verdict

setup()

from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from interventions.models import Flag, InterventionSettings  # noqa: E402
from interventions.presets import install_presets  # noqa: E402
from interventions.services import rules_run  # noqa: E402
from tracking.models import AssessmentPoint, GradeEntry, GradeValue, School, Target  # noqa: E402


class Rollback(Exception):
    pass


def demo_school():
    return School.objects.filter(is_demo=True).first()


def fullest_points(school):
    points = (
        AssessmentPoint.objects.filter(school=school, academic_year__is_current=True)
        .annotate(n=Count("grades"))
        .select_related("year_group", "school")
        .order_by("year_group__number", "-n", "-sequence")
    )
    chosen = {}
    for point in points:
        chosen.setdefault(point.year_group_id, point)
    return list(chosen.values())


def top_up(points):
    """Grades for every pupil-subject with a target and no grade yet (inside the rolled-back run)."""
    rng = random.Random(5)
    by_step = {}
    for value in GradeValue.objects.filter(scale__school=points[0].school_id).order_by("rank"):
        by_step[(value.scale_id, value.step)] = value.pk
    missing = []
    for point in points:
        have = set(GradeEntry.objects.filter(point=point).values_list("pupil_id", "subject_id"))
        targets = Target.objects.filter(
            pupil__year_group=point.year_group, pupil__is_active=True
        ).values_list("pupil_id", "subject_id", "grade__scale_id", "grade__step")
        for pupil_id, subject_id, scale_id, step in targets:
            if (pupil_id, subject_id) in have:
                continue
            shifted = by_step.get((scale_id, max(0, step + rng.choice((-2, -1, 0, 0, 1)))))
            missing.append(
                GradeEntry(
                    school_id=point.school_id,
                    pupil_id=pupil_id,
                    subject_id=subject_id,
                    point=point,
                    current_id=shifted,
                )
            )
    GradeEntry.objects.bulk_create(missing, batch_size=5000)
    return len(missing)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--preset", default=None, help="laude, hurworth or longfield (default: the active one)"
    )
    args = parser.parse_args()
    school = demo_school()
    points = fullest_points(school)
    fresh, rerun, summary = [], [], None
    for _ in range(args.repeat):
        try:
            with transaction.atomic():
                presets = install_presets(school, activate="longfield")
                if args.preset:
                    InterventionSettings.objects.filter(school=school).update(
                        active_preset=presets[args.preset]
                    )
                Flag.objects.filter(school=school).delete()
                topped = top_up(points)
                started = time.perf_counter()
                results = [rules_run(point=point) for point in points]
                fresh.append(time.perf_counter() - started)
                started = time.perf_counter()
                for point in points:
                    rules_run(point=point)
                rerun.append(time.perf_counter() - started)
                summary = (
                    sum(r.pupils for r in results),
                    sum(p.n for p in points) + topped,
                    sum(r.raised for r in results),
                )
                raise Rollback
        except Rollback:
            pass
    pupils, grades, flags = summary
    preset = args.preset or InterventionSettings.objects.get(school=school).active_preset.code
    print(f"Rules ({preset}) for {pupils} pupils, {grades} grades at {len(points)} points -> {flags} flags")
    print(
        f"  first run (raise every flag): median {statistics.median(fresh) * 1000:.0f} ms, "
        f"max {max(fresh) * 1000:.0f} ms over {args.repeat} runs"
    )
    print(
        f"  re-run (nothing new):         median {statistics.median(rerun) * 1000:.0f} ms, "
        f"max {max(rerun) * 1000:.0f} ms"
    )
    print(f"  budget 3000 ms: {'OK' if max(fresh) < 3 else 'OVER'}")
    return verdict(max(fresh) < 3)


if __name__ == "__main__":
    sys.exit(main())
