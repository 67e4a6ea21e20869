import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from tracking import audit, permissions


def _changes(world, entry, changes, by, via="marksheet"):
    """Write audit rows the way the marksheet save does: one per changed grade entry."""
    audit.record_many(
        [
            {
                "action": "tracking.grade.created" if before is None else "tracking.grade.changed",
                "obj": entry,
                "by": by,
                "pupil": entry.pupil,
                "before": before or {},
                "after": after,
                "via": via,
            }
            for before, after in changes
        ]
    )


@pytest.fixture
def trail(world):
    maths = f.GradeEntryFactory(pupil=world.child, subject=world.maths, point=world.point)
    english = f.GradeEntryFactory(pupil=world.child, subject=world.english, point=world.point)
    _changes(
        world,
        maths,
        [
            (None, {"current": "5", "predicted": "6+", "security": "M", "effort": 2, "comment": ""}),
            (
                {"current": "5", "predicted": "6+", "security": "M", "effort": 2, "comment": ""},
                {"current": "5", "predicted": "7-", "security": "H", "effort": 2, "comment": "Strong mock"},
            ),
        ],
        world.teacher.user,
    )
    _changes(world, english, [({"current": "4"}, {"current": "5"})], world.data_manager.user, via="import")
    world.maths_entry, world.english_entry = maths, english
    return world


def test_a_pupils_history_shows_who_when_what_old_and_new_and_through_which_screen(client, trail):
    client.force_login(trail.data_manager.user)
    page = client.get(reverse("pupil_grade_history", args=[trail.child.pk])).content.decode()
    assert "grade history" in page
    assert "Mathematics" in page and "English Language" in page and "Y11 Autumn 2" in page
    assert "<del>6+</del>" in page and "<ins>7-</ins>" in page
    assert "<del>M</del>" in page and "<ins>H</ins>" in page
    assert "Strong mock" in page
    assert "Marksheet (saved)" in page and "Import" in page
    assert trail.teacher.user.display_name in page
    # Unchanged fields are not listed as changes.
    assert "<del>2</del>" not in page


def test_a_sheets_history_lists_only_that_groups_subject_at_that_point(client, trail):
    client.force_login(trail.slt.user)
    page = client.get(reverse("sheet_history", args=[trail.group.pk, trail.point.pk])).content.decode()
    assert "<ins>7-</ins>" in page
    assert "English Language" not in page
    assert trail.child.sorted_name in page


def test_a_sheet_history_for_a_point_of_another_year_group_is_not_found(client, trail):
    other_point = f.AssessmentPointFactory(
        school=trail.school, year_group=f.YearGroupFactory(school=trail.school, number=10)
    )
    client.force_login(trail.data_manager.user)
    assert client.get(reverse("sheet_history", args=[trail.group.pk, other_point.pk])).status_code == 404
    assert client.get(reverse("sheet_history", args=[trail.group.pk, 999999])).status_code == 404


def test_only_the_data_manager_slt_and_the_trust_may_read_the_audit_trail(client, trail):
    allowed = {
        persona
        for persona in (
            "teacher",
            "other_teacher",
            "hod",
            "tutor",
            "hoy",
            "mentor",
            "senco",
            "slt",
            "data_manager",
        )
        if permissions.can_see_audit_history(getattr(trail, persona).user)
    }
    assert allowed == {"slt", "data_manager"}
    trust = f.UserFactory(is_trust_admin=True)
    assert permissions.can_see_audit_history(trust)
    client.force_login(trail.hod.user)
    assert client.get(reverse("pupil_grade_history", args=[trail.child.pk])).status_code == 404
    client.force_login(trail.parent.user)
    assert client.get(reverse("pupil_grade_history", args=[trail.child.pk])).status_code == 404


def test_another_schools_pupil_history_is_not_found(client, trail, other_world):
    client.force_login(trail.data_manager.user)
    assert client.get(reverse("pupil_grade_history", args=[other_world.child.pk])).status_code == 404
    assert (
        client.get(reverse("sheet_history", args=[other_world.group.pk, other_world.point.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("url_name", ["pupil_grade_history", "sheet_history"])
def test_history_pages_are_paginated_with_a_constant_query_count(
    client, trail, url_name, django_assert_num_queries
):
    args = [trail.child.pk] if url_name == "pupil_grade_history" else [trail.group.pk, trail.point.pk]
    url = reverse(url_name, args=args)
    client.force_login(trail.data_manager.user)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(3):
        entry = f.GradeEntryFactory(
            pupil=f.PupilFactory(school=trail.school, year_group=trail.y11),
            subject=trail.maths,
            point=trail.point,
        )
        trail.group.pupils.add(entry.pupil)
        _changes(
            trail,
            entry,
            [({"current": "4"}, {"current": str(5 + (n % 3))}) for n in range(30)],
            trail.teacher.user,
        )
    _changes(trail, trail.maths_entry, [({"effort": 3}, {"effort": 2})] * 60, trail.teacher.user)
    with django_assert_num_queries(len(small)):
        page = client.get(url).content.decode()
    assert "Page 1 of" in page
    with django_assert_num_queries(len(small)):
        assert client.get(url, {"page": 2}).status_code == 200
    assert len(small) <= 13


def test_a_sheets_history_shows_its_reopenings_but_not_other_groups(client, trail):
    for group, reason in ((trail.group, "Teacher was ill"), (trail.other_group, "Not this one")):
        audit.record(
            action="tracking.sheet.reopened",
            obj=group,
            by=trail.data_manager.user,
            after={"point": trail.point.name, "group": group.name, "until": "2026-12-01"},
            note=reason,
            via="marksheet",
        )
    audit.record(
        action="tracking.point.reopened",
        obj=trail.point,
        by=trail.data_manager.user,
        after={"point": trail.point.name, "group": "all groups", "until": "2026-12-02"},
        note="Mock exams moved",
        via="marksheet",
    )
    client.force_login(trail.data_manager.user)
    page = client.get(reverse("sheet_history", args=[trail.group.pk, trail.point.pk])).content.decode()
    assert "Sheet reopened" in page and "Teacher was ill" in page and "2026-12-01" in page
    assert "Whole point reopened" in page and "Mock exams moved" in page
    assert "Not this one" not in page
