"""The dashboards' figures, worked out in the database for speed, pinned to tracking.standing's Python
form on a factory-built school: the same grades, the same answers, whichever way they are counted."""

import pytest

from tests import factories as f
from tracking import standing
from tracking.dashboards import attainment8_pupils
from tracking.dashboards.attainment8 import ELEMENTS, A8Error, attainment8, entries_for
from tracking.models import AssessmentPoint, Category, EstimateTable, GradeEntry, ProgressEstimate

pytestmark = pytest.mark.django_db


def _reference_a8(points, school, estimates):
    """Each pupil's A8 the long way: every GCSE grade entry judged in Python (`counting_grade`), the
    latest point's grade kept per subject, its whole grade scored by the A8 rules."""
    book = standing.Book(school)
    chosen = [p for p in points if p.year_group.number in (10, 11)]
    latest = {}
    entries = (
        GradeEntry.objects.filter(
            school=school,
            pupil__is_active=True,
            point__academic_year_id__in={p.academic_year_id for p in chosen},
            point__year_group_id__in={p.year_group_id for p in chosen},
            point__sequence__lte=max(p.sequence for p in chosen),
            subject__qualification="gcse",
        )
        .select_related("point", "current", "predicted", "subject", "pupil")
        .order_by("point__sequence")
    )
    for entry in entries:
        grade = standing.counting_grade(entry.point, entry.current, entry.predicted)
        if grade is None:
            continue
        latest[(entry.pupil, entry.subject_id)] = (entry.subject, book.values(grade.scale_id), grade.step)
    by_pupil = {}
    for (pupil, _subject_id), (subject, values, step) in latest.items():
        code = standing.grade_at_step(values, step).code
        if subject.category == attainment8_pupils.COMBINED and code.isdigit():
            code = f"{code}-{code}"
        try:
            scored = entries_for(subject.name, subject.category, grade=code)
        except A8Error:
            scored = []
        by_pupil.setdefault(pupil, []).extend(scored)
    out = {}
    for pupil, scored in by_pupil.items():
        breakdown = attainment8(scored)
        estimate = estimates.estimate_for(pupil.ks2_mean)
        band = estimates.band_for(pupil.ks2_mean)
        out[pupil.pk] = (
            breakdown.attainment8,
            breakdown.english,
            breakdown.maths,
            breakdown.ebacc,
            breakdown.open,
            breakdown.english_double_weighted,
            estimate,
            breakdown.progress8(estimate),
            tuple(
                breakdown.element_progress8(element, band and getattr(band, element)) for element in ELEMENTS
            ),
        )
    return out


def test_attainment8_rows_match_the_grades_judged_one_by_one(world):
    w = world
    school = w.school
    y10 = f.YearGroupFactory(school=school, number=10)
    autumn = AssessmentPoint.objects.get(pk=w.point.pk)
    autumn.sequence, autumn.collects_predicted = 1, True
    autumn.save()
    spring = f.AssessmentPointFactory(school=school, year_group=w.y11, sequence=2, name="Y11 Spring")
    y10_point = f.AssessmentPointFactory(school=school, year_group=y10, sequence=2, name="Y10 Spring")
    science = f.SubjectFactory(
        school=school, name="Combined Science", code="SC", category=Category.COMBINED_SCIENCE
    )
    history = f.SubjectFactory(school=school, name="History", code="HI", category=Category.HISTORY)
    literature = f.SubjectFactory(
        school=school, name="English Literature", code="EL", category=Category.ENGLISH_LITERATURE
    )
    art = f.SubjectFactory(school=school, name="Art", code="AR", category=Category.OTHER)
    btec = f.SubjectFactory(
        school=school, name="Sport", code="SP", category=Category.OTHER, qualification="btec"
    )
    younger = f.PupilFactory(school=school, year_group=y10, ks2_reading=None, ks2_maths=None)
    w.other_child.ks2_reading = w.other_child.ks2_maths = 100
    w.other_child.save()
    left = f.PupilFactory(school=school, year_group=w.y11, is_active=False)
    g = lambda code: f.grade(school, code)  # noqa: E731
    plan = [
        # pupil, subject, point, current, predicted
        (w.child, w.maths, autumn, "5", "7+"),  # the prediction counts at a point collecting them
        (w.child, w.maths, spring, "6-", None),  # ...and the later point's grade wins
        (w.child, w.english, autumn, "4", None),  # not graded at spring: autumn's grade still counts
        (w.child, literature, spring, "5+", None),
        (w.child, science, spring, "6", None),  # combined science on the single scale: 6-6
        (w.child, history, autumn, "U", None),
        (w.child, art, spring, "8", None),
        (w.child, btec, spring, "9", None),  # not a GCSE: left out
        (w.classmate, w.maths, spring, "3", None),
        (w.classmate, w.english, spring, None, "4"),  # a prediction at a point not collecting them
        (w.other_child, art, autumn, "2", None),
        (younger, w.maths, y10_point, "9", None),
        (left, w.maths, spring, "7", None),  # has left: not counted
    ]
    for pupil, subject, point, current, predicted in plan:
        f.GradeEntryFactory(
            pupil=pupil,
            subject=subject,
            point=point,
            current=g(current) if current else None,
            predicted=g(predicted) if predicted else None,
        )
    ProgressEstimate.objects.create(school=school, ks2_from=80, estimated_a8=30)
    ProgressEstimate.objects.create(
        school=school,
        ks2_from=105,
        estimated_a8=44.5,
        estimated_english=9.5,
        estimated_maths=9,
        estimated_ebacc=13,
        estimated_open=13,
    )
    estimates = EstimateTable(school)
    points = list(
        AssessmentPoint.objects.filter(pk__in=[spring.pk, y10_point.pk]).select_related("year_group")
    )
    scoped = GradeEntry.objects.filter(school=school, pupil__is_active=True)

    rows = attainment8_pupils.attainment8_rows(scoped, points, school, estimates)

    got = {
        pupil.pk: (
            b.attainment8,
            b.english,
            b.maths,
            b.ebacc,
            b.open,
            b.english_double_weighted,
            estimate,
            p8,
            (elements.english, elements.maths, elements.ebacc, elements.open),
        )
        for pupil, b, estimate, p8, elements in rows
    }
    assert got == _reference_a8(points, school, estimates)
    # Ada: maths 7+ then 6- at spring (6 x 2), English 5 double weighted (language's 4 goes to the open
    # element), EBacc 6 + 6 (combined science twice) + 0 (history U), open 8 (art) + 4.
    assert got[w.child.pk][:5] == (46.0, 10.0, 12.0, 12.0, 12.0)
    # Her band (KS2 105) has element estimates: each element's P8 is per slot, (10 - 9.5) / 2 for English,
    # (12 - 9) / 2 for maths, (12 - 13) / 3 for EBacc and open; together the P8 of (46 - 44.5) / 10.
    assert got[w.child.pk][6:] == (44.5, 0.15, (0.25, 1.5, -0.33, -0.33))
    # Cy's band (KS2 100) has only an A8 estimate: a Progress 8 but none by element; no KS2, neither.
    assert got[w.other_child.pk][7] is not None and got[w.other_child.pk][8] == (None,) * 4
    assert got[younger.pk][6:] == (None, None, (None,) * 4)
    assert left.pk not in got and set(got) == {w.child.pk, w.classmate.pk, w.other_child.pk, younger.pk}
    assert [row[0].pk for row in rows][0] == younger.pk  # Year 10 first, then by name
    assert attainment8_pupils.cohort_a8(rows)[0][1][0].pupils == 4


def test_attainment8_rows_are_empty_without_years_10_and_11(world):
    school = world.school
    assert (
        attainment8_pupils.attainment8_rows(GradeEntry.objects.none(), [], school, EstimateTable(school))
        == []
    )


def _reference_most_improved(school, entries, points, limit=8):
    """The Data Board's most improved the long way: each grade's standing and movement annotated per
    grade (tracking.standing's ORM form, a subquery per grade for the grade before)."""
    from django.db.models import Count, F

    from tests.tracking.dashboards.movement import with_movement

    rows = (
        with_movement(
            standing.annotate_standing(entries.filter(point__in=points), standing.Thresholds.of(school)),
            standing.previous_points(points),
        )
        .filter(prev_step__isnull=False, counting_step__gt=F("prev_step"))
        .values("pupil_id")
        .annotate(up=Count("pk"))
        .order_by("-up", "pupil_id")[:limit]
    )
    return {row["pupil_id"]: row["up"] for row in rows}


def test_the_most_improved_match_the_grades_compared_one_by_one(world):
    from tracking.dashboards import queries

    w = world
    school = w.school
    autumn = AssessmentPoint.objects.get(pk=w.point.pk)
    autumn.sequence = 1
    autumn.save()
    spring = f.AssessmentPointFactory(school=school, year_group=w.y11, sequence=2, collects_predicted=True)
    history = f.SubjectFactory(school=school, name="History", code="HI", category=Category.HISTORY)
    extra = [f.PupilFactory(school=school, year_group=w.y11) for _ in range(9)]
    g = lambda code: f.grade(school, code)  # noqa: E731
    plan = [  # pupil, subject, autumn current, spring current, spring predicted
        (w.child, w.maths, "4", "5-", None),  # up a whole grade (5- is grade 5)
        (w.child, w.english, "4+", "4-", None),  # the same whole grade: not up
        (w.child, history, "3", "2", "6"),  # the prediction counts at spring: up
        (w.classmate, w.maths, "6", "5", None),  # down
        (w.classmate, w.english, None, "7", None),  # nothing before: not counted
        (w.other_child, w.maths, "2", "3", None),
    ]
    plan += [(pupil, w.maths, "3", str(4 + n % 3), None) for n, pupil in enumerate(extra)]
    for pupil, subject, before, now, predicted in plan:
        if before:
            f.GradeEntryFactory(pupil=pupil, subject=subject, point=autumn, current=g(before))
        f.GradeEntryFactory(
            pupil=pupil,
            subject=subject,
            point=spring,
            current=g(now),
            predicted=g(predicted) if predicted else None,
        )
    entries = GradeEntry.objects.filter(school=school, pupil__is_active=True)
    points = [spring]

    got = queries.most_improved(school, entries, points)

    expected = _reference_most_improved(school, entries, points)
    assert {pupil.pk: up for pupil, up in got} == expected
    assert dict((p.pk, up) for p, up in got)[w.child.pk] == 2 and w.classmate.pk not in expected
    assert len(got) == 8  # the limit, best first
    assert [up for _p, up in got] == sorted((up for _p, up in got), reverse=True)
    assert queries.most_improved(school, entries, [autumn]) == []  # no point before the first
