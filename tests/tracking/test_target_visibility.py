"""Pupil and target pages show targets through the policy: a head of year sees published ones only."""

import pytest
from django.urls import reverse

from tests import factories as f
from tracking.models import TargetStatus

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
