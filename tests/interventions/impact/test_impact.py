"""Impact against similar pupils: same year, prior-attainment band and subject, over the same points."""

from django.urls import reverse

from interventions.impact import queries
from interventions.models import Scope
from tests import factories as f
from tracking.cycle.services import cycle_create
from tracking.models import Stage

from ..helpers import child_plan, grade


def _world_with_progress(w):
    for pupil in (w.child, w.classmate, w.other_child):
        pupil.ks2_reading, pupil.ks2_maths = 104, 104  # all middle band
        pupil.save()
    later = f.AssessmentPointFactory(
        school=w.school, academic_year=w.year, year_group=w.y11, name="Y11 Spring 1",
        sequence=w.point.sequence + 1, is_locked=True,
    )  # fmt: skip
    grade(w, w.child, w.maths, "4", "6")
    grade(w, w.child, w.maths, "6", point=later)  # +2 with a plan
    grade(w, w.classmate, w.maths, "4")
    grade(w, w.classmate, w.maths, "5", point=later)  # +1 without
    grade(w, w.other_child, w.maths, "5")
    grade(w, w.other_child, w.maths, "5", point=later)  # 0 without
    child_plan(w, Scope.SUBJECT)
    return later


def test_a_plans_change_is_set_against_similar_pupils_without_one(world):
    _world_with_progress(world)
    kinds, detail = queries.evaluate(world.school)
    (row,) = kinds
    assert row.label == "Level 2 head of department plans"
    assert (row.n, row.mean, row.comparison_mean, row.difference) == (1, 2.0, 0.5, 1.5)
    assert detail[0]["similar_n"] == 2


def test_slt_see_impact_and_it_is_in_the_cycle_report_from_the_evaluation_stage(client, world):
    _world_with_progress(world)
    client.force_login(world.slt.user)
    page = client.get(reverse("interventions:impact"))
    assert page.status_code == 200 and page.context["kinds"][0].difference == 1.5
    cycle = cycle_create(school=world.school, academic_year=world.year, name="Autumn", points=[world.point])
    cycle.stage = Stage.EVALUATION
    cycle.save()
    report = client.get(reverse("cycle_report", args=[cycle.pk])).content.decode()
    assert "Plans and sessions against similar pupils" in report and "+1.50" in report


def test_the_to_column_is_the_latest_point_whose_grades_count_not_the_one_open_for_entry(world):
    w = world
    locked = _world_with_progress(w)
    open_now = f.AssessmentPointFactory(
        school=w.school, academic_year=w.year, year_group=w.y11, name="Y11 Spring 2",
        sequence=locked.sequence + 1, is_locked=False,
    )  # fmt: skip
    grade(w, w.child, w.maths, "9", point=open_now)  # half-entered in a window still open
    grade(w, w.classmate, w.maths, "4", point=open_now)
    _, detail = queries.evaluate(w.school)
    assert [(d["end"], d["change"]) for d in detail] == [(locked, 2.0)]


def test_change_is_counted_in_whole_grades_whatever_the_scale_points(world):
    w = world
    sport = f.SubjectFactory(
        school=w.school, department=w.maths.department, name="Sport", code="SP",
        scale=w.school.scales.get(code="btec"),
    )  # fmt: skip
    later = f.AssessmentPointFactory(
        school=w.school, academic_year=w.year, year_group=w.y11, name="Y11 Spring 1",
        sequence=w.point.sequence + 1, is_locked=True,
    )  # fmt: skip
    grade(w, w.child, sport, "U", "M", scale="btec")
    grade(w, w.child, sport, "P", point=later, scale="btec")  # U (0 points) to Level 2 Pass (4 points)
    child_plan(w, Scope.SUBJECT).subjects.set([sport])
    _, detail = queries.evaluate(w.school)
    assert [d["change"] for d in detail] == [1.0]
