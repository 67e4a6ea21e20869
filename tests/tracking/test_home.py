"""The home page's query count depends on the role's panels, never on how much data the school holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from tracking.models import GuardianLink

pytestmark = pytest.mark.django_db

# Each role's cap, measured on PostgreSQL: a new panel that needs more must raise its cap here, on purpose.
HOME_QUERIES = {
    "teacher": 18,
    "hod": 21,
    "tutor": 12,
    "mentor": 12,
    "senco": 11,
    "slt": 18,
    "data_manager": 18,
    "parent": 10,  # 9, and one for the reports panel (each child with their reports to download)
}
PERSONAS = tuple(HOME_QUERIES)


def _queries(client, user):
    client.force_login(user)
    client.get(reverse("home"))  # warm the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured.captured_queries)


def _grow(world):
    """More pupils in the teacher's group, the tutor's form and the mentor's list; more groups."""
    for n in range(6):
        pupil = f.PupilFactory(school=world.school, year_group=world.y11, form=world.form)
        world.group.pupils.add(pupil)
        f.MentorAssignmentFactory(pupil=pupil, mentor=world.mentor, academic_year=world.year)
        f.TeachingGroupFactory(
            school=world.school,
            subject=world.maths,
            year_group=world.y11,
            name=f"11Ma{n + 10}",
            teachers=[world.teacher],
            pupils=[pupil],
        )
    GuardianLink.objects.create(
        guardian=world.parent, pupil=f.PupilFactory(school=world.school, year_group=world.y11)
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_query_count_stays_the_same_as_the_school_grows(client, world, persona):
    user = getattr(world, persona).user
    before = _queries(client, user)
    _grow(world)
    assert before <= HOME_QUERIES[persona], f"{persona}: {before} queries"
    assert _queries(client, user) == before


def test_a_head_of_departments_home_lists_her_own_unstarted_sheets_first_then_n_more(client, world):
    mine = f.TeachingGroupFactory(
        school=world.school, subject=world.maths, year_group=world.y11, name="11Ma9", teachers=[world.hod]
    )
    mine.pupils.add(world.child)
    for n in range(10):
        other = f.TeachingGroupFactory(
            school=world.school, subject=world.maths, year_group=world.y11, name=f"11Ma{20 + n}"
        )
        other.pupils.add(world.classmate)
    client.force_login(world.hod.user)
    html = client.get(reverse("home")).content.decode()
    own, department = html.split("Your department’s other groups", 1)
    assert "Your groups" in own and "11Ma9 · " in own and "Not started" in own
    assert "11Ma9 · " not in department
    # 12 department sheets unfinished (11Ma1, 11Ma2 and ten more): 8 shown, the rest counted.
    table, after = department.split("</table>", 1)
    assert table.count("<tr><td><a href=") == 8
    assert 'And <a href="/marksheets/">4 more department sheets</a> not complete' in after
