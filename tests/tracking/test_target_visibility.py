"""Pupil and target pages show targets through the policy: a head of year sees published ones only."""

import pytest
from django.urls import reverse

from tests import factories as f
from tracking.models import Target, TargetStatus
from tracking.permissions import targets

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(world):
    f.GradeEntryFactory(
        pupil=world.child,
        subject=world.maths,
        point=world.point,
        teaching_group=world.group,
        current=f.grade(world.school, "6"),
    )
    return f.TargetFactory(
        pupil=world.child,
        subject=world.maths,
        grade=f.grade(world.school, "8"),
        status=TargetStatus.PROPOSED,
        published_grade=None,
    )


def _maths_target_on_pupil_page(client, world):
    response = client.get(reverse("pupil_detail", args=[world.child.pk]))
    assert response.status_code == 200
    rows = [r for r in response.context["rows"] if r["subject"].pk == world.maths.pk]
    target_rows = [r for r in response.context["target_rows"] if r["subject"].pk == world.maths.pk]
    assert len(rows) == 1
    return rows[0]["target_grade"], target_rows


def test_a_head_of_year_does_not_see_a_proposed_target(client, world, proposed):
    client.force_login(world.hoy.user)
    grade, target_rows = _maths_target_on_pupil_page(client, world)
    assert grade is None and target_rows == []
    detail = client.get(reverse("target_detail", args=[world.child.pk, world.maths.pk]))
    assert detail.status_code == 200 and detail.context["target"] is None
    assert "Proposed" not in detail.content.decode()


def test_a_head_of_year_sees_it_once_published(client, world, proposed):
    proposed.status = TargetStatus.PUBLISHED
    proposed.published_grade = proposed.grade
    proposed.save()
    client.force_login(world.hoy.user)
    grade, target_rows = _maths_target_on_pupil_page(client, world)
    assert grade == proposed.grade and len(target_rows) == 1
    detail = client.get(reverse("target_detail", args=[world.child.pk, world.maths.pk]))
    assert detail.context["target"] == proposed


@pytest.mark.parametrize("persona", ["teacher", "hod", "slt"])
def test_those_who_work_on_a_proposal_see_it(client, world, proposed, persona):
    client.force_login(getattr(world, persona).user)
    grade, target_rows = _maths_target_on_pupil_page(client, world)
    # Nothing is published yet, so no target counts; the proposal shows as pending.
    assert grade is None
    assert [row["pending"] for row in target_rows] == [proposed.grade]
    detail = client.get(reverse("target_detail", args=[world.child.pk, world.maths.pk]))
    assert detail.context["target"] == proposed


def test_a_teachers_targets_are_the_same_in_the_sqlite_and_postgresql_forms(world):
    """permissions finds a teacher's targets in one form for PostgreSQL and another for SQLite (which
    has no hash joins): both must name the same targets. Checked on the suite's database."""

    def target(pupil, subject):
        return f.TargetFactory(pupil=pupil, subject=subject, grade=f.grade(world.school, "6"))

    # other_teacher teaches English to all three and maths to other_child only; last year's group
    # taught by the same teacher must not count.
    every = [
        target(p, s)
        for p in (world.child, world.classmate, world.other_child)
        for s in (world.maths, world.english)
    ]
    old_year = f.AcademicYearFactory(school=world.school, is_current=False, name="2020/21")
    f.TeachingGroupFactory(
        school=world.school,
        academic_year=old_year,
        subject=world.maths,
        year_group=world.y11,
        name="11Ma9",
        teachers=[world.other_teacher],
        pupils=[world.child],
    )
    found = {}
    for vendor in ("postgresql", "sqlite"):
        for who in ("teacher", "other_teacher"):
            staff = getattr(world, who)
            found[(vendor, who)] = set(
                Target.objects.filter(targets._taught_targets(staff, vendor)).values_list("pk", flat=True)
            )
    expected_teacher = {
        t.pk for t in every if t.subject == world.maths and t.pupil in (world.child, world.classmate)
    }
    expected_other = {t.pk for t in every if t.subject == world.english} | {
        t.pk for t in every if t.subject == world.maths and t.pupil == world.other_child
    }
    for vendor in ("postgresql", "sqlite"):
        assert found[(vendor, "teacher")] == expected_teacher
        assert found[(vendor, "other_teacher")] == expected_other
