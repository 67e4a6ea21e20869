"""Health checks: each department's numbers for one cycle, broken down by pupil group.

One pass over the cycle's grade entries (values() rows, no per-pupil queries), with targets, the
previous point's grades and the enrolments (for completion) fetched once each. Stored as a JSON
snapshot per department, regenerated in place, so running it twice changes nothing.

Counts are of grades (pupil × subject), each judged by tracking.standing in the database: the grade
that counts, against the grade expected now from the published target. "On target" is on or above
it, "well below" (below_2) by the school's threshold, "below the floor" (below_4) under the school's
floor grade; completion counts complete rows; movers compare the grade that counts with the same
subject at the previous point.
"""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from tracking import standing
from tracking.models import Department, GradeEntry, HealthCheck, TeachingGroup

GROUPS = [
    ("all", "All pupils"),
    ("pp", "Disadvantaged"),
    ("non_pp", "Not disadvantaged"),
    ("sen", "SEN (support or EHCP)"),
    ("non_sen", "No SEN"),
    ("eal", "EAL"),
    ("non_eal", "Not EAL"),
    ("female", "Female"),
    ("male", "Male"),
    ("gender_other", "Other / not stated"),
    ("prior_high", "Prior attainment: high"),
    ("prior_middle", "Prior attainment: middle"),
    ("prior_low", "Prior attainment: low"),
    ("prior_none", "Prior attainment: no KS2 data"),
]
PUPIL_FIELDS = ("disadvantaged", "sen_status", "eal", "gender", "prior_band")
# "on_target" is on or above the grade expected now; "below_2" is well below it (by the school's threshold,
# two grades unless it chose otherwise); "below_4" is under the school's floor grade (tracking.standing).
COUNTERS = (
    "expected",
    "entered",
    "complete",
    "with_target",
    "above",
    "on",
    "below",
    "well_below",
    "on_target",
    "below_2",
    "below_4",
    "compared",
    "up",
    "down",
)


def groups_of(disadvantaged, sen_status, eal, gender, prior_band):
    keys = ["all", "pp" if disadvantaged else "non_pp", "sen" if sen_status != "N" else "non_sen"]
    keys.append("eal" if eal else "non_eal")
    keys.append({"F": "female", "M": "male"}.get(gender, "gender_other"))
    keys.append(f"prior_{prior_band}" if prior_band else "prior_none")
    return keys


def compute(cycle):
    """{department id: snapshot dict} for every department with grades or pupils in the cycle."""
    points = list(cycle.points.select_related("year_group"))
    point_ids = [p.pk for p in points]
    prev_of = standing.previous_points(points)
    thresholds = standing.Thresholds.of(cycle.school)
    rows = standing.annotate_standing(
        GradeEntry.objects.filter(point_id__in=point_ids), thresholds
    ).values_list(
        "pupil_id",
        "subject_id",
        "subject__name",
        "subject__department_id",
        "counting_step",
        "standing",
        "below_floor",
        "is_complete",
        *(f"pupil__{f}" for f in PUPIL_FIELDS),
    )
    entries = {(row[0], row[1]): row for row in rows}
    previous = {
        (pupil_id, subject_id): step
        for pupil_id, subject_id, step in GradeEntry.objects.filter(point_id__in=set(prev_of.values()))
        .annotate(step=standing.counting_step_expression())
        .filter(step__isnull=False)
        .values_list("pupil_id", "subject_id", "step")
    }
    # Expected grades: every pupil on roll in a group of the cycle's year groups this year.
    enrolled = TeachingGroup.pupils.through.objects.filter(
        teachinggroup__academic_year_id=cycle.academic_year_id,
        teachinggroup__year_group_id__in=[p.year_group_id for p in points],
        pupil__is_active=True,
    ).values_list(
        "pupil_id",
        "teachinggroup__subject_id",
        "teachinggroup__subject__name",
        "teachinggroup__subject__department_id",
        *(f"pupil__{f}" for f in PUPIL_FIELDS),
    )
    expected = {(r[0], r[1]): r for r in enrolled}

    depts = defaultdict(lambda: {"groups": defaultdict(lambda: dict.fromkeys(COUNTERS, 0)), "subjects": {}})

    def bump(dept_id, subject_name, flags, counter):
        dept = depts[dept_id]
        for key in groups_of(*flags):
            dept["groups"][key][counter] += 1
        subject = dept["subjects"].setdefault(subject_name, dict.fromkeys(COUNTERS, 0))
        subject[counter] += 1

    for key in expected.keys() | entries.keys():
        entry = entries.get(key)
        if entry is not None:
            _, _, subject_name, dept_id, step, status, below_floor, complete, *flags = entry
        else:
            _, _, subject_name, dept_id, *flags = expected[key]
            step, status, below_floor, complete = None, standing.NONE, False, False
        bump(dept_id, subject_name, flags, "expected")
        if complete:
            bump(dept_id, subject_name, flags, "complete")
        if step is None:
            continue
        bump(dept_id, subject_name, flags, "entered")
        if status != standing.NONE:
            bump(dept_id, subject_name, flags, "with_target")
            bump(dept_id, subject_name, flags, status)
            if status in (standing.ABOVE, standing.ON):
                bump(dept_id, subject_name, flags, "on_target")
            if status == standing.WELL_BELOW:
                bump(dept_id, subject_name, flags, "below_2")
        if below_floor:
            bump(dept_id, subject_name, flags, "below_4")
        before = previous.get(key)
        if before is not None:
            bump(dept_id, subject_name, flags, "compared")
            if step > before:
                bump(dept_id, subject_name, flags, "up")
            elif step < before:
                bump(dept_id, subject_name, flags, "down")

    point_names = [p.name for p in points]
    return {
        dept_id: {
            "points": point_names,
            "groups": [
                _with_rates(key, label, data["groups"][key]) for key, label in GROUPS if key in data["groups"]
            ],
            "subjects": [
                _with_rates(name, name, counts) for name, counts in sorted(data["subjects"].items())
            ],
        }
        for dept_id, data in depts.items()
        if dept_id is not None
    }


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _with_rates(key, label, counts):
    return {
        "key": key,
        "label": label,
        **counts,
        "completion_pct": _pct(counts.get("complete", counts["entered"]), counts["expected"]),
        "on_target_pct": _pct(counts["on_target"], counts["with_target"]),
    }


@transaction.atomic
def health_checks_generate(*, cycle, now=None):
    """(Re)generate every department's health check for a cycle. Returns them."""
    now = now or timezone.now()
    snapshots = compute(cycle)
    departments = Department.objects.filter(school_id=cycle.school_id, pk__in=snapshots.keys())
    checks = []
    for department in departments:
        check, _ = HealthCheck.objects.update_or_create(
            cycle=cycle,
            department=department,
            defaults={"data": snapshots[department.pk], "generated_at": now},
        )
        checks.append(check)
    return checks


def totals(check):
    """The "all pupils" row of a snapshot (zeros when empty)."""
    for row in check.data.get("groups", []):
        if row["key"] == "all":
            return row
    return _with_rates("all", "All pupils", dict.fromkeys(COUNTERS, 0))
