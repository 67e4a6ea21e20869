"""Every kind of write a held standing depends on, each checked the same way on whichever database the
caller runs: the grade rows whose standing the write changes must be marked stale by it (the
triggers), and once refreshed every held standing must equal the one worked out afresh.

Run in the suite's process on PostgreSQL (tests/tracking/test_held_standings.py) and in a subprocess
on the embedded SQLite, against a seeded demo school.
"""

from django.db import connection
from django.db.models import Exists, OuterRef

from tracking import standing
from tracking.models import AssessmentPoint, FlightPath, GradeEntry, GradeValue, Target, YearGroup


def live():
    """{grade id: (step, scale, difference)} for every grade, worked out now by standing_sql."""
    sql, params = standing.standing_sql(GradeEntry.objects.all(), standing.Thresholds())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor]
    return {row["id"]: (row["counting_step"], row["counting_scale"], row["standing_diff"]) for row in rows}


def held():
    return {
        pk: (step, scale, diff)
        for pk, step, scale, diff in GradeEntry.objects.values_list(
            "pk", "held_step", "held_scale", "held_diff"
        )
    }


def _other_grade(value):
    """Another grade on the same scale, a few whole grades away."""
    return (
        GradeValue.objects.filter(scale_id=value.scale_id).exclude(step=value.step).order_by("-step").first()
    )


def _graded_entry(**filters):
    return GradeEntry.objects.filter(current__isnull=False, **filters).order_by("pk").first()


def _target_with_grades():
    """A published target whose pupil has a grade in its subject."""
    graded = GradeEntry.objects.filter(
        pupil_id=OuterRef("pupil_id"), subject_id=OuterRef("subject_id"), current__isnull=False
    )
    return Target.objects.filter(Exists(graded), published_grade__isnull=False).order_by("pk").first()


def saved_through_the_model():
    entry = _graded_entry()
    entry.current = _other_grade(entry.current)
    entry.save()


def bulk_updated():
    entries = list(GradeEntry.objects.filter(current__isnull=False).order_by("pk")[5:25])
    for entry in entries:
        entry.current = _other_grade(entry.current)
    GradeEntry.objects.bulk_update(entries, ["current"])


def written_in_raw_sql():
    entry = _graded_entry(predicted__isnull=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tracking_gradeentry SET predicted_id = %s WHERE id = %s",
            [_other_grade(entry.predicted).pk, entry.pk],
        )


def deleted_and_created_again():
    entry = _graded_entry()
    entry.delete()
    entry.pk = None
    entry.held_step, entry.held_scale, entry.held_diff, entry.held_stale = 99, 99, 99, False
    GradeEntry.objects.bulk_create([entry])


def target_published_again():
    target = _target_with_grades()
    Target.objects.filter(pk=target.pk).update(published_grade=_other_grade(target.published_grade))


_deleted = []


def target_deleted():
    target = _target_with_grades()
    target.delete()
    _deleted.append(target)


def target_created():
    """The target target_deleted removed, set again."""
    target = _deleted.pop()
    target.pk = None
    target.save()


def flight_path_changed():
    path = FlightPath.objects.order_by("pk").first()
    path.gap_y7, path.gap_y8, path.gap_y9, path.gap_y10 = 0, 0, 0, 0
    path.save()


def flight_path_deleted():
    FlightPath.objects.order_by("pk").first().delete()


def point_added():
    # The youngest year's: its gaps are the widest, so a point more moves the grade expected now.
    point = AssessmentPoint.objects.filter(grades__isnull=False).order_by("year_group__number", "pk").first()
    year = AssessmentPoint.objects.filter(academic_year=point.academic_year, year_group=point.year_group)
    point.pk = None
    # First in the year: every other point of the year moves one place later.
    point.sequence = min(year.values_list("sequence", flat=True)) - 1
    point.name = "Added"
    point.save()


def point_stops_collecting_predictions():
    point = AssessmentPoint.objects.filter(collects_predicted=True, grades__predicted__isnull=False).first()
    AssessmentPoint.objects.filter(pk=point.pk).update(collects_predicted=False)


def grade_value_moved():
    target = _target_with_grades()
    GradeValue.objects.filter(pk=target.published_grade_id).update(step=target.published_grade.step + 1)


def year_group_renumbered():
    year = YearGroup.objects.filter(points__grades__isnull=False).order_by("number").first()
    YearGroup.objects.filter(pk=year.pk).update(number=year.number - 1)


WRITES = (
    saved_through_the_model,
    bulk_updated,
    written_in_raw_sql,
    deleted_and_created_again,
    target_published_again,
    target_deleted,
    target_created,
    flight_path_changed,
    flight_path_deleted,
    point_added,
    point_stops_collecting_predictions,
    grade_value_moved,
    year_group_renumbered,
)


def run_every_write():
    """{write's name: [standings changed, changed but not marked stale, wrong after the refresh]}."""
    out = {}
    standing.refresh_held()
    for write in WRITES:
        before = live()
        write()
        after = live()
        changed = {pk for pk, pieces in after.items() if before.get(pk) != pieces}
        stale = set(GradeEntry.objects.filter(held_stale=True).values_list("pk", flat=True))
        standing.refresh_held()
        now = held()
        wrong = sorted(pk for pk, pieces in after.items() if now[pk] != pieces)
        out[write.__name__] = [len(changed), sorted(changed - stale)[:5], wrong[:5]]
    return out
