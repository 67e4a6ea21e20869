"""A group's page: its pupils with their latest grade and standing, and links to its marksheets."""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_group_page_shows_each_pupils_latest_grade_and_standing_and_links_its_marksheets(client, world):
    six, five = f.grade(world.school, "6"), f.grade(world.school, "5")
    f.TargetFactory(pupil=world.child, subject=world.maths, grade=six, published_grade=six)
    f.GradeEntryFactory(pupil=world.child, subject=world.maths, point=world.point, current=five)
    client.force_login(world.teacher.user)
    html = client.get(reverse("group_detail", args=[world.group.pk])).content.decode()
    assert reverse("marksheet", args=[world.group.pk, world.point.pk]) in html
    ada = html.split(f'data-pupil="{world.child.pk}"', 1)[0].rsplit("<tr>", 1)[1]
    assert "5 <span" in ada and "current, Y11 Autumn 2" in ada
    row = html.split(f'data-pupil="{world.child.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Below target" in row
    assert f'data-standing="below" data-pupil="{world.child.pk}"' in html
    # No grade yet for the classmate: a standing of "none", said in words.
    assert f'data-standing="none" data-pupil="{world.classmate.pk}"' in html


def test_the_senco_sees_a_groups_grades_but_no_marksheet_links(client, world):
    client.force_login(world.senco.user)
    html = client.get(reverse("group_detail", args=[world.group.pk])).content.decode()
    assert "Marksheets" in html and "Y11 Autumn 2" in html
    assert reverse("marksheet", args=[world.group.pk, world.point.pk]) not in html
