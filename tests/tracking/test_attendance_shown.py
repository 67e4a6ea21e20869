"""Attendance reads one way on every page and download that shows it: one place of decimals, a
percent sign, from tracking.lib.percentages (the issue saw 88.20, 93.1% and 93.10)."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

SHOWN = re.compile(r"\b88(?:\.\d+)?%|\b88(?:\.\d+)?(?=<)")


@pytest.fixture
def ada(world):
    w = world
    f.GradeEntryFactory(pupil=w.child, subject=w.maths, point=w.point, current=f.grade(w.school, "6"))
    w.child.attendance = Decimal("88.00")
    w.child.save()
    return w


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("tutor", lambda w: reverse("pupil_detail", args=[w.child.pk])),
        ("tutor", lambda w: reverse("dashboard_tutor", args=[w.form.pk])),
        ("mentor", lambda w: reverse("mentoring:mentees")),
    ],
)
def test_attendance_shows_with_one_place_of_decimals_on_every_page(ada, login, persona, url):
    page = login(getattr(ada, persona).user).get(url(ada)).content.decode()
    shown = SHOWN.findall(page)
    assert shown and set(shown) == {"88.0%"}, shown


def test_the_mentees_download_gives_attendance_to_one_place(ada, login):
    response = login(ada.mentor.user).get(reverse("mentoring:mentees") + "?export=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["Attendance (%)"] for row in rows if row["UPN"] == ada.child.upn} == {"88.0"}
