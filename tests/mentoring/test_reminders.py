"""Mentoring where staff already look: the "send a mentoring slip" button on a pupil's page and the home
panel while the monthly Academic RAG is open."""

import pytest
from django.urls import reverse

from mentoring.models import MentoringSettings

from .test_rag import entry, open_window

pytestmark = pytest.mark.django_db

SLIP_BUTTON = "Send a mentoring slip to"


def pupil_page(client, user, pupil):
    client.force_login(user)
    response = client.get(reverse("pupil_detail", args=[pupil.pk]))
    assert response.status_code == 200  # the page is seen: only the button is in question
    return response.content.decode()


# -- the slip button on the pupil page --------------------------------------------------------------


def test_a_teacher_of_a_mentored_pupil_finds_the_slip_button_on_the_pupils_page(client, world):
    page = pupil_page(client, world.teacher.user, world.child)
    assert SLIP_BUTTON + f" {world.mentor}" in page
    assert reverse("mentoring:slip_new", args=[world.child.pk]) in page


def test_no_slip_button_for_a_pupil_without_a_mentor(client, world):
    world.group.pupils.add(world.other_child)  # taught, but nobody mentors them
    assert SLIP_BUTTON not in pupil_page(client, world.teacher.user, world.other_child)


def test_another_teacher_of_the_pupil_finds_it_too(client, world):
    assert SLIP_BUTTON in pupil_page(client, world.other_teacher.user, world.child)  # teaches Ada English


@pytest.mark.parametrize("persona", ["slt", "tutor", "mentor"])
def test_no_slip_button_for_staff_who_do_not_teach_the_pupil(client, world, persona):
    # They may see the page; only a teacher of the pupil may send a slip (tracking.permissions).
    assert SLIP_BUTTON not in pupil_page(client, getattr(world, persona).user, world.child)


def test_no_slip_button_outside_the_mentored_year_groups(client, world):
    MentoringSettings.objects.create(school=world.school).year_groups.set([])
    assert SLIP_BUTTON not in pupil_page(client, world.teacher.user, world.child)


# -- the home panel while the RAG is open ------------------------------------------------------------


def home(client, user):
    client.force_login(user)
    return client.get("/").content.decode()


def test_a_teacher_is_told_the_rag_is_open_and_how_many_pupils_still_need_a_rating(client, world):
    window = open_window(world, opens=-1, closes=5)
    page = home(client, world.teacher.user)
    assert f"The {window.month:%B} Academic RAG is open" in page
    assert "2 of your 2 pupils in Year 11</strong> still need a rating and comment from you" in page
    entry(world, window, world.child, world.maths, "G", "Steady")
    page = home(client, world.teacher.user)
    assert "1 of your 2 pupils in Year 11</strong> still needs a rating and comment" in page
    entry(world, window, world.classmate, world.maths, "A", "Coursework late")
    assert "You have rated all 2 of your pupils in Year 11" in home(client, world.teacher.user)
    assert reverse("mentoring:rag_home") in page


def test_a_rating_in_another_teachers_subject_does_not_count_as_the_teachers(client, world):
    window = open_window(world)
    world.english_group.pupils.add(world.child)
    entry(world, window, world.child, world.english, "R", "English essay missing", by=world.other_teacher)
    assert "2 of your 2 pupils in Year 11" in home(client, world.teacher.user)


def test_no_rag_panel_when_no_window_is_open(client, world):
    open_window(world, opens=-20, closes=-10)  # last month's, closed
    assert "Academic RAG is open" not in home(client, world.teacher.user)


def test_no_rag_panel_for_staff_who_rate_nobody_in_the_window(client, world):
    open_window(world)
    for persona in ("slt", "mentor", "tutor"):
        assert "Academic RAG is open" not in home(client, getattr(world, persona).user), persona
