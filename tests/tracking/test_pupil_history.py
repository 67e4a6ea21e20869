import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from tracking.cycle.verification import grades_verify
from tracking.lib.sparkline import sparkline
from tracking.models import GradeEntry, TargetStatus


@pytest.fixture
def graded(world):
    g = lambda code: f.grade(world.school, code)  # noqa: E731
    world.locked = f.AssessmentPointFactory(
        school=world.school, year_group=world.y11, name="Y11 Autumn 1", sequence=0, is_locked=True
    )
    f.GradeEntryFactory(
        pupil=world.child, subject=world.maths, point=world.locked, current=g("4"), security="L", effort=2
    )
    f.GradeEntryFactory(
        pupil=world.child, subject=world.maths, point=world.point, current=g("5-"), predicted=g("6"), effort=1
    )
    f.TargetFactory(pupil=world.child, subject=world.maths, grade=g("6"))
    f.TargetFactory(
        pupil=world.child,
        subject=world.english,
        grade=g("7"),
        status=TargetStatus.PROPOSED,
        published_grade=None,
    )
    f.GradeEntryFactory(pupil=world.child, subject=world.english, point=world.locked, current=g("6"))
    return world


@pytest.fixture
def verified(graded):
    """The locked point's grades were verified (what families see); the open point's were not."""
    grades_verify(entries=GradeEntry.objects.filter(point=graded.locked), by=None, via="test")
    return graded


def test_staff_see_each_subjects_history_with_security_effort_and_a_sparkline(client, graded):
    client.force_login(graded.teacher.user)
    page = client.get(reverse("pupil_detail", args=[graded.child.pk])).content.decode()
    assert "Y11 Autumn 1" in page and "Y11 Autumn 2" in page
    assert '<abbr title="Low">L</abbr>' in page
    assert page.count("<svg") == 2
    assert 'stroke-dasharray="4 3"' in page  # the target line
    assert "style=" not in page.split("<main")[1]  # CSP: no inline styles
    assert "Grade change history" not in page  # the audit trail is for the data team


def test_parents_see_only_verified_grades_and_published_targets(client, verified):
    graded = verified
    client.force_login(graded.parent.user)
    page = client.get(reverse("pupil_detail", args=[graded.child.pk])).content.decode()
    assert "Y11 Autumn 1" in page
    assert "Y11 Autumn 2" not in page
    # The proposed English target (7) is not shown; the published maths target (6) is.
    assert "target 6" in page
    assert "target not set" in page
    assert "target 7" not in page


def test_the_data_manager_gets_a_link_to_the_grade_change_history(client, graded):
    client.force_login(graded.data_manager.user)
    page = client.get(reverse("pupil_detail", args=[graded.child.pk])).content.decode()
    assert reverse("pupil_grade_history", args=[graded.child.pk]) in page


def test_pupil_page_query_count_stays_the_same_as_history_grows(client, graded, django_assert_num_queries):
    client.force_login(graded.teacher.user)
    url = reverse("pupil_detail", args=[graded.child.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(4):
        point = f.AssessmentPointFactory(school=graded.school, year_group=graded.y11, is_locked=True)
        for subject in (graded.maths, graded.english):
            f.GradeEntryFactory(
                pupil=graded.child, subject=subject, point=point, current=f.grade(graded.school, str(4 + n))
            )
    # Measured on PostgreSQL (with the plans and sessions sections, and the three fixed queries of the
    # teacher's "send a mentoring slip" button); the same whatever the history.
    assert len(small) <= 26
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200


def test_a_sparkline_is_plain_svg_with_the_target_as_a_line():
    svg = sparkline([4, None, 5.33, 6], 6, label="Maths <script>")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<circle") == 3
    assert "<polyline" in svg and "<line" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "style=" not in svg
    assert sparkline([None, None], 5) == ""


@pytest.mark.parametrize(("stage", "shown"), [("verification", False), ("health_check", True)])
def test_parents_see_a_locked_point_only_once_its_cycle_is_past_verification(client, graded, stage, shown):
    from datetime import date

    from tracking.cycle.services import cycle_enter_stage
    from tracking.models import TrackingCycle

    day = date(2026, 11, 2)
    cycle = TrackingCycle.objects.create(
        school=graded.school,
        academic_year=graded.locked.academic_year,
        name="Autumn 1 uplift",
        stage="verification",
        input_on=day,
        verification_on=day,
        health_check_on=day,
        actions_on=day,
        evaluation_on=day,
        closes_on=day,
    )
    cycle.points.add(graded.locked)
    if stage == "health_check":
        cycle_enter_stage(cycle_id=cycle.pk, stage=stage, via="manual")
    client.force_login(graded.parent.user)
    page = client.get(reverse("pupil_detail", args=[graded.child.pk])).content.decode()
    assert ("Y11 Autumn 1" in page) is shown
    client.force_login(graded.teacher.user)
    assert "Y11 Autumn 1" in client.get(reverse("pupil_detail", args=[graded.child.pk])).content.decode()


def test_staff_see_the_pupils_sen_status_and_primary_need_and_families_do_not(client, graded):
    from tracking.models import SenNeed, SenStatus

    child = graded.child
    child.sen_status, child.sen_need = SenStatus.SUPPORT, SenNeed.values[1]
    child.save(update_fields=["sen_status", "sen_need"])
    need = child.get_sen_need_display()
    client.force_login(graded.teacher.user)
    page = client.get(reverse("pupil_detail", args=[child.pk])).content.decode()
    assert f"SEN support · primary need: {need}" in page
    client.force_login(graded.parent.user)
    page = client.get(reverse("pupil_detail", args=[child.pk])).content.decode()
    assert need not in page and "SEN support" not in page
