"""Every page that shows a standing agrees with tracking.standing, read from its data-standing attributes.

The cases are the ones seen disagreeing on the demo school: current 6 with no prediction against 6;
current 4 predicted 6 against 6; 6/6 after an accepted raise (working 7, published 6); Key Stage 3
judged on its flight path; no target; no grade; a change waiting for the verification team.
"""

from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests import factories as f
from tracking import standing
from tracking.cycle import services
from tracking.cycle.health import health_checks_generate
from tracking.cycle.verification import grades_verify
from tracking.models import GradeEntry, Target, TargetStatus

pytestmark = pytest.mark.django_db


class _Standings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-standing" in attrs:
            self.found.append(attrs)


def standings_on(response):
    """[(pupil id, subject id, point id, data-standing)] of every element on a page that shows one."""
    assert response.status_code == 200
    parser = _Standings()
    parser.feed(response.content.decode())
    return [
        (int(a["data-pupil"]), int(a["data-subject"]), int(a["data-point"]), a["data-standing"])
        for a in parser.found
        if a.get("data-point")
    ]


@pytest.fixture
def cases(world):
    """The seven cases on the persona school (Year 11 maths and English) and a Year 8 maths class."""
    school, g = world.school, (lambda code: f.grade(world.school, code))
    point = world.point  # Year 11, collects predictions; its only point this year, so expected = target

    def target(pupil, subject, published, working=None, status=TargetStatus.PUBLISHED, requested=None):
        return Target.objects.create(
            school=school,
            pupil=pupil,
            subject=subject,
            grade=g(working or published),
            published_grade=g(published),
            status=status,
            requested_grade=g(requested) if requested else None,
            source="flightpath",
        )

    def entry(pupil, subject, at, current=None, predicted=None, **extra):
        return GradeEntry.objects.create(
            school=school,
            pupil=pupil,
            subject=subject,
            point=at,
            current=g(current) if current else None,
            predicted=g(predicted) if predicted else None,
            **extra,
        )

    target(world.child, world.maths, "6")
    entry(world.child, world.maths, point, current="6")  # current 6, predicted blank
    target(world.classmate, world.maths, "6")
    entry(world.classmate, world.maths, point, current="4", predicted="6")
    target(world.other_child, world.maths, "6", working="7", status=TargetStatus.PROPOSED)  # accepted raise
    entry(world.other_child, world.maths, point, current="6", predicted="6")
    entry(world.child, world.english, point, current="5", predicted="5")  # no target
    target(world.classmate, world.english, "5")
    entry(world.classmate, world.english, point, effort=2)  # no grade
    target(world.other_child, world.english, "6", status=TargetStatus.CHANGE_REQUESTED, requested="5")
    entry(world.other_child, world.english, point, current="5", predicted="5")
    # Key Stage 3: a Year 8 pupil with a target of 6 is expected two grades below it by the end of Year 8.
    y8 = f.YearGroupFactory(school=school, number=8)
    world.y8_point = f.AssessmentPointFactory(
        school=school, year_group=y8, name="Y8 Autumn 2", collects_predicted=False, collects_security=False
    )
    world.y8_pupil = f.PupilFactory(school=school, year_group=y8)
    world.y8_group = f.TeachingGroupFactory(
        school=school,
        subject=world.maths,
        year_group=y8,
        name="8Ma1",
        teachers=[world.teacher],
        pupils=[world.y8_pupil],
    )
    target(world.y8_pupil, world.maths, "6")
    entry(world.y8_pupil, world.maths, world.y8_point, current="4")
    world.cycle = services.cycle_create(
        school=school,
        academic_year=world.year,
        name="Autumn 2",
        points=[point, world.y8_point],
        dates=services.default_dates(date(2026, 11, 2)),
    )
    health_checks_generate(cycle=world.cycle)
    return world


def truth(world, family=False):
    """{(pupil, subject, point): data-standing} as tracking.standing judges every entry."""
    book = standing.Book(world.school, family=family)
    targets = {
        (t.pupil_id, t.subject_id): t for t in Target.objects.select_related("grade", "published_grade")
    }
    out = {}
    for entry in GradeEntry.objects.select_related("point", "current", "predicted"):
        if family:
            if entry.verified_at is None:
                continue
            entry.current, entry.predicted = entry.verified_current, entry.verified_predicted
        result = book.judge_entry(entry, targets.get((entry.pupil_id, entry.subject_id)))
        out[(entry.pupil_id, entry.subject_id, entry.point_id)] = result.attr
    return out


def _agrees(found, expected):
    assert found, "the page shows no standings"
    for pupil, subject, point, shown in found:
        assert expected[(pupil, subject, point)] == shown, (pupil, subject, point)


def test_the_truth_for_the_seven_cases(cases):
    w = cases
    truth_now = truth(w)
    assert truth_now[(w.child.pk, w.maths.pk, w.point.pk)] == "on"  # judged on the current grade
    assert truth_now[(w.classmate.pk, w.maths.pk, w.point.pk)] == "on"  # judged on the prediction
    assert truth_now[(w.other_child.pk, w.maths.pk, w.point.pk)] == "on"  # the published 6 counts
    assert truth_now[(w.child.pk, w.english.pk, w.point.pk)] == "none"  # no target
    assert truth_now[(w.classmate.pk, w.english.pk, w.point.pk)] == "none"  # no grade
    assert truth_now[(w.other_child.pk, w.english.pk, w.point.pk)] == "below"  # the published 6, not 5
    assert truth_now[(w.y8_pupil.pk, w.maths.pk, w.y8_point.pk)] == "on"  # 4 where 4 is expected in Y8


def test_every_staff_page_agrees_with_standing(cases, client):
    w = cases
    expected = truth(w)
    pages = (
        [
            (w.teacher, reverse("marksheet", args=[w.group.pk, w.point.pk])),
            (w.other_teacher, reverse("marksheet", args=[w.other_group.pk, w.point.pk])),
            (w.other_teacher, reverse("marksheet", args=[w.english_group.pk, w.point.pk])),
            (w.teacher, reverse("marksheet", args=[w.y8_group.pk, w.y8_point.pk])),
            (w.teacher, reverse("group_detail", args=[w.group.pk])),
            (w.other_teacher, reverse("group_detail", args=[w.english_group.pk])),
            (w.teacher, reverse("group_detail", args=[w.y8_group.pk])),
            (w.hod, reverse("master_detail", args=[w.maths.pk]) + "?year=11"),
            (w.hod, reverse("master_detail", args=[w.maths.pk]) + "?year=8"),
            (w.slt, reverse("health_check_detail", args=[w.cycle.pk, w.maths.department_id])),
            (w.slt, reverse("health_check_detail", args=[w.cycle.pk, w.english.department_id])),
        ]
        + [
            (w.slt, reverse("pupil_detail", args=[p.pk]))
            for p in (w.child, w.classmate, w.other_child, w.y8_pupil)
        ]
        + [
            (w.tutor, reverse("dashboard_tutor", args=[w.child.form_id])),
            (w.mentor, reverse("mentoring:mentees")),
        ]
    )
    seen = set()
    for user, url in pages:
        client.force_login(user.user)
        found = standings_on(client.get(url))
        assert found, url
        _agrees(found, expected)
        seen |= {(p, s, t) for p, s, t, _ in found}
    assert seen == set(expected)  # every case is shown somewhere, and everywhere it is shown it agrees


def test_the_marksheet_says_which_grade_the_light_judged_and_shows_expected_and_pending(cases, client):
    w = cases
    client.force_login(w.other_teacher.user)
    html = client.get(reverse("marksheet", args=[w.other_group.pk, w.point.pk])).content.decode()
    assert "pending 7" in html and "on predicted" in html
    client.force_login(w.teacher.user)
    html = client.get(reverse("marksheet", args=[w.group.pk, w.point.pk])).content.decode()
    assert "on current" in html and "on predicted" in html
    html = client.get(reverse("marksheet", args=[w.y8_group.pk, w.y8_point.pk])).content.decode()
    assert '<td class="readonly sheet-expected">4</td>' in html


def test_the_live_light_is_standings_answer_for_what_is_typed_and_saves_nothing(cases, client):
    """The marksheet's light while typing comes from the server: the same module, the same badge."""
    w = cases
    client.force_login(w.teacher.user)
    before = list(GradeEntry.objects.values_list("pk", "version", "current_id", "predicted_id"))

    def light(group, point, pupil, **typed):
        query = {f"r-{pupil.pk}-version": "0"} | {f"r-{pupil.pk}-{k}": v for k, v in typed.items()}
        response = client.get(reverse("marksheet_light", args=[group.pk, point.pk, pupil.pk]), query)
        assert response["Cache-Control"] == "no-store"
        (found,) = standings_on(response)
        return found[3], response.content.decode()

    # Target 6 at the Year 11 point: predicted counts when typed, else current.
    assert light(w.group, w.point, w.child, current="6")[0] == "on"
    status, html = light(w.group, w.point, w.child, current="6", predicted="3")
    assert status == "well-below" and "on predicted" in html
    assert light(w.group, w.point, w.child, current="8", predicted="")[0] == "above"
    assert light(w.group, w.point, w.child, current="not a grade")[0] == "none"
    # Year 8 is judged on the grade expected now (4), not the end-of-Key-Stage-4 target (6).
    assert light(w.y8_group, w.y8_point, w.y8_pupil, current="4")[0] == "on"
    assert list(GradeEntry.objects.values_list("pk", "version", "current_id", "predicted_id")) == before
    # Another group's pupil, or a POST, is a 404.
    other = reverse("marksheet_light", args=[w.group.pk, w.point.pk, w.y8_pupil.pk])
    assert client.get(other).status_code == 404
    own = reverse("marksheet_light", args=[w.group.pk, w.point.pk, w.child.pk])
    assert client.post(own).status_code == 404


def test_the_family_page_agrees_with_standing_on_verified_grades(cases, client):
    w = cases
    grades_verify(entries=GradeEntry.objects.all(), by=None, via="test")
    client.force_login(w.parent.user)
    for url in (
        reverse("pupil_detail", args=[w.child.pk]),
        reverse("reports:family_child", args=[w.child.pk]),
    ):
        found = standings_on(client.get(url))
        _agrees(found, truth(w, family=True))
        assert {(s, p) for _, s, p, _ in found} == {(w.maths.pk, w.point.pk), (w.english.pk, w.point.pk)}, url


def test_health_check_counts_agree_with_standing(cases):
    from tracking.cycle.health import totals
    from tracking.models import HealthCheck

    w = cases
    check = HealthCheck.objects.get(cycle=w.cycle, department=w.maths.department)
    counts = standing.standing_counts(
        GradeEntry.objects.filter(subject=w.maths), standing.Thresholds.of(w.school)
    )
    row = totals(check)
    assert row["on_target"] == counts["on"] + counts["above"] == 4
    assert row["below_2"] == counts["well_below"] == 0
    assert row["below_4"] == counts["below_floor"] == 0


def test_the_rules_are_fed_the_same_standings(cases):
    from interventions.queries import point_data

    w = cases
    book = standing.Book(w.school)
    targets = {
        (t.pupil_id, t.subject_id): t for t in Target.objects.select_related("grade", "published_grade")
    }
    facts = {
        (pupil.pupil_id, fact.subject_id): fact
        for pupil in point_data(w.point).facts
        for fact in pupil.subjects
    }
    assert facts
    for entry in GradeEntry.objects.filter(point=w.point).select_related("point", "current", "predicted"):
        result = book.judge_entry(entry, targets.get((entry.pupil_id, entry.subject_id)))
        fact = facts.get((entry.pupil_id, entry.subject_id))
        if result.grade is None:
            assert fact is None
            continue
        assert fact.grade_code == result.grade.code
        assert fact.gap == (None if result.diff is None else -result.diff)
