"""Impact against similar pupils: same year, prior-attainment band and subject, over the same points."""

from datetime import date, time, timedelta

from django.urls import reverse

from interventions.impact import queries
from interventions.models import Flag, Scope
from interventions.plans import services as plan_services
from interventions.sessions.models import Allocation, AllocationStatus, Session
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


def _last_year_point(w, name="Y10 Summer 2", sequence=6, opens_on=date(2026, 7, 6)):
    """A locked point of last year, when world's Year 11 were in Year 10."""
    last = w.school.years.filter(is_current=False).first() or f.AcademicYearFactory(
        school=w.school,
        name="2025/26",
        starts_on=date(2025, 9, 1),
        ends_on=date(2026, 8, 31),
        is_current=False,
    )
    return f.AssessmentPointFactory(
        school=w.school, academic_year=last, year_group=f.YearGroupFactory(school=w.school, number=10),
        name=name, sequence=sequence, opens_on=opens_on, closes_on=opens_on + timedelta(days=10),
        is_locked=True,
    )  # fmt: skip


def _middle_band(w):
    for pupil in (w.child, w.classmate, w.other_child):
        pupil.ks2_reading, pupil.ks2_maths = 104, 104
        pupil.save()


def test_a_plan_started_in_year_10s_summer_is_measured_at_year_11s_locked_autumn_point(world):
    w = world
    _middle_band(w)
    summer = _last_year_point(w)
    w.point.is_locked = True
    w.point.save()
    grade(w, w.child, w.maths, "4", "6", point=summer)
    grade(w, w.child, w.maths, "6")  # +2 with a plan
    grade(w, w.classmate, w.maths, "4", point=summer)
    grade(w, w.classmate, w.maths, "5")  # +1 without
    grade(w, w.other_child, w.maths, "5", point=summer)
    grade(w, w.other_child, w.maths, "5")  # 0 without
    flag = Flag.objects.create(
        school=w.school, pupil=w.child, point=summer, scope=Scope.SUBJECT, subject=w.maths, level=1,
        reason="Below in maths", owner=w.hod, raised_at="2026-07-20T10:00:00Z", source="manual",
    )  # fmt: skip
    plan, _ = plan_services.plan_from_flag(flag=flag, by=w.hod.user, today=date(2026, 7, 20))
    assert plan.start_standing[0]["grade"] == "4"  # the standing then, from last year's point
    (row,) = queries.evaluate(w.school)[0]
    assert (row.n, row.mean, row.comparison_mean, row.difference) == (1, 2.0, 0.5, 1.5)
    (case,) = queries.evaluate(w.school)[1]
    assert (case["start"], case["end"], case["similar_n"]) == (summer, w.point, 2)


def test_a_session_series_starts_at_the_latest_locked_point_before_it_and_each_school_year_is_its_own(world):
    w = world
    _middle_band(w)
    autumn = _last_year_point(w, name="Y10 Autumn 2", sequence=2, opens_on=date(2025, 12, 5))
    w.point.is_locked = True
    w.point.save()
    for pupil, then, now in ((w.child, "3", "5"), (w.classmate, "4", "5"), (w.other_child, "4", "4")):
        grade(w, pupil, w.maths, then, point=autumn)
        grade(w, pupil, w.maths, now)
    # Last spring, and this autumn once this year's point opened.
    for day in (date(2026, 2, 2), date(2026, 2, 9), w.point.opens_on + timedelta(days=1)):
        session = Session.objects.create(
            school=w.school, subject=w.maths, kind="after_school", title="Maths", date=day,
            starts_at=time(15, 20), ends_at=time(16, 20), room="M4",
        )  # fmt: skip
        Allocation.objects.create(
            school=w.school, session=session, pupil=w.child, status=AllocationStatus.CONFIRMED
        )
    _, detail = queries.evaluate(w.school)
    # Last spring's series runs from last autumn's point; this autumn's has no locked point after it yet.
    assert [(d["kind"], d["start"], d["end"], d["change"], d["similar"]) for d in detail] == [
        ("After school sessions", autumn, w.point, 2.0, 0.5)
    ]


def test_slt_see_each_cases_school_year_beside_its_points(client, world):
    w = world
    _middle_band(w)
    summer = _last_year_point(w)
    w.point.is_locked = True
    w.point.save()
    grade(w, w.child, w.maths, "4", "6", point=summer)
    grade(w, w.child, w.maths, "6")
    flag = Flag.objects.create(
        school=w.school, pupil=w.child, point=summer, scope=Scope.SUBJECT, subject=w.maths, level=1,
        reason="Below in maths", owner=w.hod, raised_at="2026-07-20T10:00:00Z", source="manual",
    )  # fmt: skip
    plan_services.plan_from_flag(flag=flag, by=w.hod.user, today=date(2026, 7, 20))
    client.force_login(w.slt.user)
    page = " ".join(client.get(reverse("interventions:impact")).content.decode().split())
    assert 'Y10 Summer 2 <span class="muted">2025/26</span>' in page
    assert f'{w.point.name} <span class="muted">{w.year.name}</span>' in page


def test_each_case_shows_the_pupils_standing_at_its_start_and_at_each_later_point(
    client, world, django_assert_max_num_queries
):
    """Standings from tracking.standing, at every point of the case: 4 predicted 6, then 6, against 7."""
    from tracking import standing
    from tracking.models import GradeEntry, Target

    w = world
    later = _world_with_progress(w)
    Target.objects.filter(pupil=w.child, subject=w.maths).delete()
    target = f.TargetFactory(pupil=w.child, subject=w.maths, grade=f.grade(w.school, "7"))
    _, detail = queries.evaluate(w.school)
    (case,) = queries.with_standings(w.school, detail)
    assert [p for p, _ in case["path"]] == [w.point, later]
    book = standing.Book(w.school)
    for point, result in case["path"]:
        entry = GradeEntry.objects.get(pupil=w.child, subject=w.maths, point=point)
        expected = book.judge_entry(entry, target)
        assert (result.status, result.diff) == (expected.status, expected.diff) != ("none", None)
    client.force_login(w.slt.user)
    client.get(reverse("interventions:impact"))
    # The access-matrix cap (9) is for a school with nothing to measure; with cases, one Book judges all.
    with django_assert_max_num_queries(18):
        page = client.get(reverse("interventions:impact")).content.decode()
    row = page.split("Each case")[1]
    assert row.count(f'data-pupil="{w.child.pk}"') == 2
    for point, result in case["path"]:
        assert f'data-standing="{standing.attr(result.status)}" data-pupil="{w.child.pk}"' in row
        assert f'data-point="{point.pk}"' in row


def _maths_session(w, pupil, subject, day):
    session = Session.objects.create(
        school=w.school, subject=subject, kind="after_school", title=subject.name, date=day,
        starts_at=time(15, 20), ends_at=time(16, 20), room="M4",
    )  # fmt: skip
    Allocation.objects.create(
        school=w.school, session=session, pupil=pupil, status=AllocationStatus.CONFIRMED
    )


def test_similar_pupils_are_measured_over_the_cases_own_first_and_last_points(world):
    w = world
    spring = _world_with_progress(w)
    summer = f.AssessmentPointFactory(
        school=w.school, academic_year=w.year, year_group=w.y11, name="Y11 Summer 1",
        sequence=spring.sequence + 1, is_locked=True,
    )  # fmt: skip
    grade(w, w.child, w.maths, "7", point=summer)  # +3 with a plan, to the summer point
    grade(w, w.other_child, w.maths, "7", point=summer)  # +2 without; the classmate has no summer grade
    (row,), (case,) = queries.evaluate(w.school)
    assert (case["start"], case["end"], case["points"]) == (w.point, summer, [w.point, spring, summer])
    assert (case["change"], case["similar"], case["similar_n"]) == (3.0, 2.0, 1)
    assert (row.mean, row.comparison_mean, row.difference) == (3.0, 2.0, 1.0)


def _helped_in_maths_and_english(w):
    """The child's maths plan, the other child's maths sessions and the classmate's English ones, all
    starting at world.point (locked), measured at the spring point."""
    spring = _world_with_progress(w)
    w.point.is_locked = True
    w.point.save()
    spring.opens_on = w.point.opens_on + timedelta(days=30)
    spring.save()
    day = w.point.opens_on + timedelta(days=1)
    _maths_session(w, w.other_child, w.maths, day)  # 0 in maths: no longer a similar pupil
    _maths_session(w, w.classmate, w.english, day)  # +1 in maths: still one


def test_a_pupil_helped_in_the_subject_is_not_a_similar_pupil_but_one_helped_in_another_subject_is(world):
    w = world
    _helped_in_maths_and_english(w)
    kinds, detail = queries.evaluate(w.school)
    plan = next(d for d in detail if d["pupil_id"] == w.child.pk)
    assert (plan["change"], plan["similar"], plan["similar_n"]) == (2.0, 1.0, 1)
    sessions = next(d for d in detail if d["pupil_id"] == w.other_child.pk)
    assert (sessions["change"], sessions["similar"], sessions["similar_n"]) == (0.0, 1.0, 1)
    assert [(k.key, k.n, k.mean, k.comparison_mean) for k in kinds] == [
        ("plan-department-2", 1, 2.0, 1.0),
        ("session-after_school", 1, 0.0, 1.0),
    ]


def test_the_impact_page_judges_only_the_cases_it_shows(client, world, monkeypatch):
    w = world
    _helped_in_maths_and_english(w)
    judged = []
    real = queries.with_standings

    def spy(school, detail):
        judged.append(len(detail))
        return real(school, detail)

    monkeypatch.setattr(queries, "with_standings", spy)
    monkeypatch.setattr("interventions.impact.views.MAX_DETAIL", 1)
    client.force_login(w.slt.user)
    page = client.get(reverse("interventions:impact")).content.decode()
    assert judged == [1] and "And 1 more." in page


def test_similar_pupils_are_summed_alike_in_the_form_for_each_database(world, monkeypatch):
    w = world
    _helped_in_maths_and_english(w)
    asked = []
    real = queries._similar

    def spy(school, keys, treated):
        asked.append((school, keys, treated))
        return real(school, keys, treated)

    monkeypatch.setattr(queries, "_similar", spy)
    queries.evaluate(w.school)
    ((school, keys, treated),) = asked
    sums = {vendor: real(school, keys, treated, vendor=vendor) for vendor in ("postgresql", "sqlite")}
    assert sums["postgresql"] == sums["sqlite"]
    # The classmate, helped in English only, is the one similar pupil in maths: +1 grade.
    assert list(sums["sqlite"].values()) == [(1, 1)]
