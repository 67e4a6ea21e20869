"""Tutors and mentors write the comments that go on their pupils' reports."""

import pytest
from django.urls import reverse

from reports.models import Kind, ReportComment
from tests.reports.helpers import finished_run
from tracking.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_tutor_comments_on_their_form_and_the_comment_is_on_the_report_escaped(client, world):
    client.force_login(world.tutor.user)
    url = reverse("reports:comments")
    page = client.get(url).content.decode()
    assert "Ada Lamb" in page and "Ben Ash" in page and "Cy Dunn" not in page
    body = {f"c-{world.child.pk}": "A <b>great</b> term", f"c-{world.other_child.pk}": "Not my pupil"}
    assert client.post(url, body).status_code == 302
    comment = ReportComment.objects.get()
    assert comment.pupil == world.child and comment.role == "tutor" and comment.by == world.tutor.user
    assert AuditEvent.objects.filter(action="reports.comment.saved", pupil=world.child).exists()
    from reports import data, pdf

    frozen = data.build(world.child, world.point, kind=Kind.YEAR11, fields=["current", "tutor_comment"])
    assert frozen["tutor_comment"]["text"] == "A <b>great</b> term"
    assert "A &lt;b&gt;great&lt;/b&gt; term" in pdf.html(frozen)


def test_an_over_long_comment_saves_nothing_and_says_why(client, world):
    client.force_login(world.mentor.user)
    url = reverse("reports:comments")
    response = client.post(url, {f"c-{world.child.pk}": "x" * 1201})
    assert response.status_code == 200
    assert "under 1,200 characters" in response.content.decode()
    assert not ReportComment.objects.exists()
    assert client.get(url, {"role": "nonsense"}).status_code == 404


def test_a_mentors_comment_reaches_the_year_11_report(client, world):
    client.force_login(world.mentor.user)
    client.post(reverse("reports:comments"), {f"c-{world.child.pk}": "Revision timetable next."})
    run = finished_run(world)
    assert run.reports.get(pupil=world.child).data["mentor_comment"]["text"] == "Revision timetable next."
