"""Mentor allocation by SLT: assign one or many, move, unassign, the mentored year groups, audit."""

import pytest
from django.urls import reverse

from mentoring import services
from mentoring.models import MentorAssignment
from tests import factories as f
from tests.personas import ROLES
from tracking.lib.errors import DomainError
from tracking.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

URL = reverse("mentoring:allocation")


@pytest.fixture
def second_mentor(world):
    return f.StaffFactory(school=world.school, user__school=world.school, roles=[Role.MENTOR])


def mentor_of(pupil):
    assignment = MentorAssignment.objects.filter(pupil=pupil, academic_year__is_current=True).first()
    return assignment.mentor if assignment else None


def test_slt_see_caseloads_and_the_unallocated_pupils(client, world):
    client.force_login(world.slt.user)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert str(world.mentor) in html
    assert world.classmate.sorted_name in html  # no mentor yet
    assert f'id="pupil-{world.child.pk}"' not in html  # has one
    assert f'id="pupil-{world.classmate.pk}"' in html


def test_slt_assign_a_mentor_to_one_pupil(client, world, second_mentor):
    client.force_login(world.slt.user)
    response = client.post(
        URL, {"action": "assign", "mentor": second_mentor.pk, "pupils": [world.classmate.pk]}
    )
    assert response.status_code == 302
    assert mentor_of(world.classmate) == second_mentor
    event = AuditEvent.objects.get(action="mentoring.mentor.assigned")
    assert event.pupil_id == world.classmate.pk
    assert event.by == world.slt.user
    assert event.after == {"mentor_id": second_mentor.pk, "mentor": str(second_mentor)}


def test_the_data_manager_assigns_many_pupils_at_once(client, world, second_mentor):
    client.force_login(world.data_manager.user)
    pupils = [world.classmate, world.other_child]
    response = client.post(
        URL, {"action": "assign", "mentor": second_mentor.pk, "pupils": [p.pk for p in pupils]}
    )
    assert response.status_code == 302
    assert all(mentor_of(p) == second_mentor for p in pupils)
    assert AuditEvent.objects.filter(action="mentoring.mentor.assigned").count() == 2


def test_slt_move_a_mentee_to_another_mentor_with_before_and_after(client, world, second_mentor):
    client.force_login(world.slt.user)
    response = client.post(URL, {"action": "move", "mentor": second_mentor.pk, "pupils": [world.child.pk]})
    assert response.status_code == 302
    assert mentor_of(world.child) == second_mentor
    assert MentorAssignment.objects.filter(pupil=world.child).count() == 1
    event = AuditEvent.objects.get(action="mentoring.mentor.moved")
    assert event.before["mentor_id"] == world.mentor.pk
    assert event.after["mentor_id"] == second_mentor.pk


def test_slt_unassign_a_mentee(client, world):
    client.force_login(world.slt.user)
    response = client.post(URL, {"action": "unassign", "pupils": [world.child.pk]})
    assert response.status_code == 302
    assert mentor_of(world.child) is None
    event = AuditEvent.objects.get(action="mentoring.mentor.unassigned")
    assert event.before["mentor_id"] == world.mentor.pk
    assert event.after == {}


def test_a_pupil_outside_the_mentored_years_is_refused_and_nothing_is_saved(client, world, second_mentor):
    y10 = f.YearGroupFactory(school=world.school, number=10)
    younger = f.PupilFactory(school=world.school, year_group=y10)
    client.force_login(world.slt.user)
    response = client.post(
        URL, {"action": "assign", "mentor": second_mentor.pk, "pupils": [world.classmate.pk, younger.pk]}
    )
    assert response.status_code == 200
    assert "Only pupils in mentored year groups get a mentor" in response.content.decode()
    assert mentor_of(world.classmate) is None and mentor_of(younger) is None
    assert not AuditEvent.objects.filter(action__startswith="mentoring.").exists()


def test_choosing_years_10_and_11_lets_year_10_be_mentored_and_is_audited(client, world, second_mentor):
    y10 = f.YearGroupFactory(school=world.school, number=10)
    younger = f.PupilFactory(school=world.school, year_group=y10)
    client.force_login(world.slt.user)
    response = client.post(URL, {"action": "years", "year_groups": [y10.pk, world.y11.pk]})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="mentoring.years.changed")
    assert event.before == {"year_groups": [11]} and event.after == {"year_groups": [10, 11]}
    assert younger.sorted_name in client.get(URL).content.decode()
    client.post(URL, {"action": "assign", "mentor": second_mentor.pk, "pupils": [younger.pk]})
    assert mentor_of(younger) == second_mentor


def test_no_year_group_chosen_is_a_clear_error(client, world):
    client.force_login(world.slt.user)
    response = client.post(URL, {"action": "years"})
    assert response.status_code == 200
    assert "Choose at least one year group to mentor." in response.content.decode()


def test_another_schools_pupil_or_mentor_is_refused_and_nothing_is_saved(
    client, world, other_world, second_mentor
):
    client.force_login(world.slt.user)
    response = client.post(
        URL,
        {
            "action": "assign",
            "mentor": second_mentor.pk,
            "pupils": [world.classmate.pk, other_world.child.pk],
        },
    )
    assert response.status_code == 200
    assert "not on this school&#x27;s roll" in response.content.decode()
    response = client.post(
        URL, {"action": "assign", "mentor": other_world.mentor.pk, "pupils": [world.classmate.pk]}
    )
    assert response.status_code == 200
    assert "That mentor is not a mentor at this school." in response.content.decode()
    assert mentor_of(world.classmate) is None
    assert mentor_of(other_world.child) == other_world.mentor
    response = client.post(URL, {"action": "unassign", "pupils": [other_world.child.pk]})
    assert response.status_code == 200
    assert mentor_of(other_world.child) == other_world.mentor
    assert client.get(URL, {"mentor": other_world.mentor.pk}).status_code == 404


def test_staff_without_the_mentor_role_cannot_be_given_mentees(world):
    with pytest.raises(DomainError) as refused:
        services.mentor_assign(
            school=world.school, mentor=world.teacher, pupils=[world.classmate], by=world.slt.user
        )
    assert refused.value.code == "not_a_mentor"
    assert mentor_of(world.classmate) is None


@pytest.mark.parametrize("persona", sorted(set(ROLES) - {"slt", "data_manager"}) + ["parent"])
def test_everyone_else_gets_404_on_get_and_post(client, world, second_mentor, persona):
    client.force_login(getattr(world, persona).user)
    assert client.get(URL).status_code == 404
    response = client.post(
        URL, {"action": "assign", "mentor": second_mentor.pk, "pupils": [world.classmate.pk]}
    )
    assert response.status_code == 404
    assert client.post(URL, {"action": "unassign", "pupils": [world.child.pk]}).status_code == 404
    assert mentor_of(world.classmate) is None
    assert mentor_of(world.child) == world.mentor


def test_the_unallocated_list_is_paginated(client, world):
    for _ in range(45):
        f.PupilFactory(school=world.school, year_group=world.y11)
    client.force_login(world.slt.user)
    html = client.get(URL).content.decode()
    assert "Showing 1–40 of 47" in html
    assert "Showing 41–47 of 47" in client.get(URL, {"page": 2}).content.decode()


def test_slt_see_the_allocation_page_in_their_navigation(client, world):
    client.force_login(world.slt.user)
    assert URL in client.get(reverse("home")).content.decode()
    client.force_login(world.teacher.user)
    assert URL not in client.get(reverse("home")).content.decode()
