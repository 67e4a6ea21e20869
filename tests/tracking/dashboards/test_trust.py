"""The trust view: trust staff see the trust's schools side by side with the dashboard's own figures;
nobody else sees it, and each school's figures are its own."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from tracking import standing
from tracking.dashboards import figures
from tracking.models import GradeEntry, HalfTerm

pytestmark = pytest.mark.django_db


def grade_world(w, plan):
    """Put the world's point in an uplift and enter (pupil, subject, predicted, target) rows."""
    term = HalfTerm.objects.create(
        academic_year=w.year,
        number=2,
        name="Autumn 2",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 19),
    )
    w.point.half_term = term
    w.point.save()
    for pupil, subject, predicted, target in plan(w):
        f.GradeEntryFactory(
            pupil=pupil,
            subject=subject,
            point=w.point,
            current=f.grade(w.school, predicted),
            predicted=f.grade(w.school, predicted),
        )
        if target:
            f.TargetFactory(pupil=pupil, subject=subject, grade=f.grade(w.school, target))
    w.term = term
    return w


def riverside(w):  # 2 of 3 with a standing on or above target
    return [
        (w.child, w.maths, "7", "6"),
        (w.classmate, w.maths, "6", "6"),
        (w.other_child, w.maths, "4", "6"),
    ]


def hillside(w):  # 1 of 2
    return [(w.child, w.maths, "6", "6"), (w.classmate, w.english, "5", "6")]


@pytest.fixture
def trust(world, other_world):
    grade_world(world, riverside)
    grade_world(other_world, hillside)
    return f.UserFactory(username="trust", is_trust_admin=True, school=None)


def test_trust_staff_see_each_school_with_its_own_dashboard_figures(client, trust, world, other_world):
    client.force_login(trust)
    response = client.get(reverse("dashboard_trust"))
    assert response.status_code == 200
    by_school = {h.school.pk: h for h in response.context["headlines"]}
    for w in (world, other_world):
        expected = figures.figure_sets(
            GradeEntry.objects.filter(school=w.school), standing.Thresholds.of(w.school), {}, {}
        )["total"]
        got = by_school[w.school.pk].total
        assert (got.above, got.on, got.below, got.well_below) == (
            expected.above,
            expected.on,
            expected.below,
            expected.well_below,
        )
    assert by_school[world.school.pk].total.on_or_above_pct == 67
    assert by_school[other_world.school.pk].total.on_or_above_pct == 50
    html = response.content.decode()
    assert "Riverside" in html and "Hillside" in html and "Riverside: Year 11" in html


def test_each_school_is_shown_in_its_own_words_and_colours(client, trust, world, other_world):
    hillside = other_world.school
    hillside.label_on, hillside.colour_on = "Secure", "#2e7d32"
    hillside.save()
    client.force_login(trust)
    response = client.get(reverse("dashboard_trust"))
    by_school = {h.school.pk: h for h in response.context["headlines"]}
    assert by_school[hillside.pk].labels[standing.ON] == "Secure"
    assert by_school[world.school.pk].labels[standing.ON] == "On target"
    html = response.content.decode()
    assert "Secure or above" in html and "On target or above" in html
    # Hillside's bars keep Hillside's colour (not the stylesheet's, which is the signed-in school's).
    assert 'class="own-on" fill="#2e7d32"' in html
    assert 'class="status-on"' not in html


def test_no_school_login_sees_the_trust_view(client, trust, world):
    trend = reverse("dashboard_trust_trend", args=[world.school.pk])
    for persona in ("slt", "data_manager", "senco", "hod", "teacher"):
        client.force_login(getattr(world, persona).user)
        assert client.get(reverse("dashboard_trust")).status_code == 404
        assert client.get(trend).status_code == 404
    client.logout()
    assert client.get(reverse("dashboard_trust")).status_code == 302
    assert client.get(trend).status_code == 302


def test_a_trust_schools_trend_opens_as_a_page_of_its_own(client, trust, world, other_world):
    client.force_login(trust)  # an installation is one trust: its staff see every school of it
    assert client.get(reverse("dashboard_trust_trend", args=[999999])).status_code == 404
    page = client.get(reverse("dashboard_trust_trend", args=[world.school.pk])).content.decode()
    assert "<html" in page and "Riverside: trend to" in page and 'class="trend-chart"' in page


def test_the_trust_view_reads_a_fixed_number_of_queries_per_school(client, trust, world, other_world):
    client.force_login(trust)
    client.get(reverse("dashboard_trust"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("dashboard_trust"))
    for n in range(10):
        pupil = f.PupilFactory(school=world.school, year_group=world.y11)
        f.GradeEntryFactory(
            pupil=pupil, subject=world.maths, point=world.point, current=f.grade(world.school, str(n % 9 + 1))
        )
    # The grades just written are worked out once, when first counted (a fixed number of
    # queries: tests/tracking/test_held_standings.py); the page then reads the same queries as before.
    standing.refresh_held()
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("dashboard_trust"))
    assert len(before.captured_queries) == len(after.captured_queries)


def test_the_trust_view_downloads_and_prints(client, trust, world, other_world):
    import io

    from openpyxl import load_workbook

    from tests.pdftext import pdf_text

    client.force_login(trust)
    book = load_workbook(io.BytesIO(client.get(reverse("dashboard_trust") + "?export=xlsx").content))
    assert book.sheetnames[:3] == ["School", "Year group", "Gaps"]
    assert "Gender" in book.sheetnames and "Trend Riverside" in book.sheetnames
    assert [r[0] for r in book["School"].values] == ["School", "Hillside", "Riverside"]
    csv = client.get(reverse("dashboard_trust") + "?export=csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("School or year group,")
    assert [line.split(",")[0] for line in lines[1:3]] == ["Hillside", "Riverside"]
    assert any(line.startswith("Riverside: Year 11,") for line in lines)
    text = pdf_text(client.get(reverse("dashboard_trust") + "?print=pdf").content)
    assert "Riverside" in text and "Hillside" in text and "67%" in text


def test_the_trust_view_shows_each_schools_splits_gaps_and_trend_as_its_own_dashboard(
    client, login, trust, world, other_world
):
    for pupil, gender in ((world.child, "F"), (world.classmate, "M"), (world.other_child, "M")):
        pupil.gender = gender
        pupil.save(update_fields=["gender"])
    client.force_login(trust)
    response = client.get(reverse("dashboard_trust"))
    riverside = next(h for h in response.context["headlines"] if h.school == world.school)
    gaps = {title: gap for title, _rows, gap in riverside.splits}
    # Boys (Ben on, Cy below: 50%) less girls (Ada above: 100%).
    assert gaps["Gender"]["on_or_above"] == -50
    own = login(world.slt.user).get(f"/dashboard/?term={world.term.pk}")
    own_gaps = {title: gap for title, _table, gap in own.context["splits"]}
    assert gaps == own_gaps
    # Each school's trend is a section the page loads after itself (htmx).
    assert riverside.trend is None
    html = response.content.decode()
    urls = [reverse("dashboard_trust_trend", args=[w.school.pk]) for w in (world, other_world)]
    assert all(f'hx-get="{url}"' in html for url in urls)
    client.force_login(trust)
    sections = [client.get(url, HTTP_HX_REQUEST="true") for url in urls]
    assert all('class="trend-chart"' in s.content.decode() for s in sections)
    assert all("<html" not in s.content.decode() for s in sections)
    [row] = sections[0].context["h"].trend.rows
    assert (row.label, row.this_pct, row.this_years, row.last_pct) == ("Autumn 2", 67, "Year 11", None)
    own_trend = login(world.slt.user).get(f"/dashboard/trend/?term={world.term.pk}", HTTP_HX_REQUEST="true")
    assert own_trend.context["trend"].rows[0].this_pct == 67
    assert "Gaps across the trust" in html and "Male compared with female" in html
    assert "Riverside: Male" in html and "Hillside: Female" in html
