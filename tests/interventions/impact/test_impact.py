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
