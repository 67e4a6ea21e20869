import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_mentor_sees_their_mentees_on_the_home_page_and_nobody_elses(client, world):
    client.force_login(world.mentor.user)
    html = client.get(reverse("home")).content.decode()
    assert "Your mentees" in html
    assert reverse("pupil_detail", args=[world.child.pk]) in html
    assert world.other_child.sorted_name not in html


def test_staff_without_mentees_get_no_mentee_panel(client, world):
    client.force_login(world.teacher.user)
    assert "Your mentees" not in client.get(reverse("home")).content.decode()
