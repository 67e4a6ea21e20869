"""The staffroom Data Board: opened by a signed link the data manager controls, read-only, figures only
unless the school chooses to name pupils, and a link for one school never opens another's board."""

from datetime import date

import pytest
from django.core import signing
from django.urls import reverse

from tests import factories as f
from tests.tracking.dashboards.test_trust import grade_world
from tracking.dashboards import board
from tracking.models import AssessmentPoint, AuditEvent, School

pytestmark = pytest.mark.django_db


def riverside(w):
    return [
        (w.child, w.maths, "7", "6"),
        (w.classmate, w.maths, "6", "6"),
        (w.other_child, w.maths, "4", "6"),
    ]


@pytest.fixture
def graded(world):
    return grade_world(world, riverside)


def _turn_on(client, w):
    client.force_login(w.data_manager.user)
    response = client.post(reverse("data_board_settings"), {"action": "new_link"})
    assert response.status_code == 302
    client.logout()
    w.school.refresh_from_db()
    return reverse("data_board", args=[board.board_token(w.school)])


def test_the_data_manager_turns_the_board_on_and_the_link_shows_figures_without_a_login(client, graded):
    url = _turn_on(client, graded)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "67%" in html and graded.school.name in html
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    assert "sessionid" not in response.cookies
    assert client.get(reverse("home")).status_code == 302  # the link signs nobody in
    assert AuditEvent.objects.filter(
        action="tracking.data_board.link_changed", by=graded.data_manager.user
    ).exists()


def test_the_board_names_no_pupil_unless_the_school_chooses_to(client, graded):
    w = graded
    later = AssessmentPoint.objects.create(
        school=w.school,
        academic_year=w.year,
        year_group=w.y11,
        name="Y11 Spring 1",
        sequence=w.point.sequence + 1,
        opens_on=w.point.opens_on,
        closes_on=w.point.closes_on,
        half_term=_spring(w),
    )
    f.GradeEntryFactory(
        pupil=w.other_child, subject=w.maths, point=later, current=f.grade(w.school, "6"), predicted=None
    )
    url = _turn_on(client, w)
    html = _shown(client.get(url))
    for pupil in (w.child, w.classmate, w.other_child):
        assert pupil.legal_last_name not in html and pupil.first_name not in html
    assert "Most improved" not in html

    client.force_login(w.data_manager.user)
    client.post(reverse("data_board_settings"), {"action": "names", "shows_pupils": "on"})
    client.logout()
    html = _shown(client.get(url))
    assert "Most improved" in html and f"{w.other_child.first_name} D" in html
    assert w.child.first_name not in html  # named only for moving up
    assert AuditEvent.objects.filter(action="tracking.data_board.names_pupils_changed").exists()


def _shown(response):
    """What the screen shows (the page's head holds the link's random token, which may spell a name)."""
    html = response.content.decode()
    return html[html.index("<main") :]


def _spring(w):
    from tracking.models import HalfTerm

    return HalfTerm.objects.create(
        academic_year=w.year, number=3, name="Spring 1", starts_on=date(2027, 1, 4), ends_on=date(2027, 2, 12)
    )


def test_a_new_link_or_turning_off_stops_the_old_link(client, graded):
    old = _turn_on(client, graded)
    new = _turn_on(client, graded)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    client.force_login(graded.data_manager.user)
    client.post(reverse("data_board_settings"), {"action": "off"})
    client.logout()
    assert client.get(new).status_code == 404


def test_a_link_opens_only_its_own_schools_board_and_forged_links_open_nothing(client, graded, other_world):
    url = _turn_on(client, graded)
    _turn_on(client, other_world)
    html = client.get(url).content.decode()
    assert other_world.school.name not in html
    other = School.objects.get(pk=other_world.school.pk)
    # Another school's id with this school's key, unsigned or signed with another salt: refused.
    forged = [
        signing.dumps([other.pk, graded.school.board_key], salt=board.SALT + "x"),
        signing.dumps([other.pk, graded.school.board_key], salt=board.SALT),
        "nonsense",
        url.split("/")[-2][:-3] + "abc",
    ]
    for token in forged:
        assert client.get(reverse("data_board", args=[token])).status_code == 404
        assert client.get(reverse("data_board_colours", args=[token])).status_code == 404
    assert client.get(reverse("data_board_colours", args=[url.split("/")[-2]])).status_code == 200


def test_the_board_is_off_until_turned_on(client, graded):
    token = signing.dumps([graded.school.pk, ""], salt=board.SALT)
    assert client.get(reverse("data_board", args=[token])).status_code == 404


def test_only_the_data_manager_changes_the_board_and_bad_input_changes_nothing(client, graded):
    for persona in ("slt", "hod", "teacher"):
        client.force_login(getattr(graded, persona).user)
        assert client.post(reverse("data_board_settings"), {"action": "new_link"}).status_code == 404
    graded.school.refresh_from_db()
    assert graded.school.board_key == ""
    client.force_login(graded.data_manager.user)
    response = client.post(reverse("data_board_settings"), {"action": "explode"}, follow=True)
    assert response.status_code == 200 and "Nothing was changed" in response.content.decode()
    graded.school.refresh_from_db()
    assert graded.school.board_key == ""
