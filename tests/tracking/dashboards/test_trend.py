"""The dashboard's trend through the year: each half term this year and the same half term last year,
at every level of the drill-down, following the page's own pupils (a group's trend is its pupils')."""

from datetime import date

import pytest
from django.urls import reverse

from tests import factories as f
from tracking import standing
from tracking.dashboards import figures
from tracking.models import AcademicYear, AssessmentPoint, GradeEntry, HalfTerm

pytestmark = pytest.mark.django_db

ABOVE, BEHIND = "9", "1"  # against a target of 5, above and well below at any point of Years 9 to 11


def _half_terms(year):
    return {
        n: HalfTerm.objects.create(
            academic_year=year,
            number=n,
            name=name,
            starts_on=date(year.starts_on.year, month, 1),
            ends_on=date(year.starts_on.year, month, 20),
        )
        for n, name, month in ((1, "Autumn 1", 9), (2, "Autumn 2", 11))
    }


def _point(w, year, half_term, year_group, sequence):
    return f.AssessmentPointFactory(
        school=w.school,
        academic_year=year,
        year_group=year_group,
        half_term=half_term,
        sequence=sequence,
        name=f"Y{year_group.number} {half_term.name} {year}",
    )


def _grade(w, pupil, point, code, subject=None):
    f.GradeEntryFactory(
        school=w.school,
        pupil=pupil,
        subject=subject or w.maths,
        point=point,
        current=f.grade(w.school, code),
        predicted=f.grade(w.school, code),
    )


@pytest.fixture
def history(world):
    """Two Year 11s and a Year 10 this year, graded at Autumn 1 and 2, and the same pupils last year.

    % on or above by hand (maths; every target 5):
      this year  Autumn 1: Year 11 point: Ada 9, Ben 1                       -> 1 of 2 = 50%
                 Autumn 2: Year 11 point: Ada 9, Ben 9, Cy 1; Year 10: Dee 9 -> 3 of 4 = 75%
      last year  Autumn 1: Year 10 point: Ada 1                              -> 0 of 1 = 0%
                 Autumn 2: Year 10 point: Ada 9, Ben 1, Cy 1; Year 9: Dee 9  -> 2 of 4 = 50%
    Not counted anywhere: a leaver's grade last year, Ada's English (a second subject, counted only
    where the page counts English), a grade at a later half term this year.
    """
    w = world
    last_year = AcademicYear.objects.create(
        school=w.school, name="2025/26", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31)
    )
    this_terms, last_terms = _half_terms(w.year), _half_terms(last_year)
    y10 = f.YearGroupFactory(school=w.school, number=10)
    y9 = f.YearGroupFactory(school=w.school, number=9)
    w.point.half_term, w.point.sequence = this_terms[2], 2
    w.point.save()
    autumn1 = _point(w, w.year, this_terms[1], w.y11, 1)
    y10_now = _point(w, w.year, this_terms[2], y10, 2)
    then_y10_1 = _point(w, last_year, last_terms[1], y10, 1)
    then_y10_2 = _point(w, last_year, last_terms[2], y10, 2)
    then_y9 = _point(w, last_year, last_terms[2], y9, 1)
    spring = HalfTerm.objects.create(
        academic_year=w.year, number=3, name="Spring 1", starts_on=date(2027, 1, 5), ends_on=date(2027, 2, 12)
    )
    later = _point(w, w.year, spring, w.y11, 3)
    dee = f.PupilFactory(school=w.school, year_group=y10, legal_first_name="Dee", legal_last_name="Eve")
    leaver = f.PupilFactory(school=w.school, year_group=w.y11, is_active=False)
    for pupil in (w.child, w.classmate, w.other_child, dee, leaver):
        f.TargetFactory(pupil=pupil, subject=w.maths, grade=f.grade(w.school, "5"))
    f.TargetFactory(pupil=w.child, subject=w.english, grade=f.grade(w.school, "5"))
    plan = [
        (autumn1, w.child, ABOVE),
        (autumn1, w.classmate, BEHIND),
        (w.point, w.child, ABOVE),
        (w.point, w.classmate, ABOVE),
        (w.point, w.other_child, BEHIND),
        (y10_now, dee, ABOVE),
        (then_y10_1, w.child, BEHIND),
        (then_y10_2, w.child, ABOVE),
        (then_y10_2, w.classmate, BEHIND),
        (then_y10_2, w.other_child, BEHIND),
        (then_y9, dee, ABOVE),
        (then_y10_2, leaver, ABOVE),
        (later, w.child, BEHIND),
    ]
    for point, pupil, code in plan:
        _grade(w, pupil, point, code)
    _grade(w, w.child, w.point, BEHIND, subject=w.english)
    _grade(w, w.child, then_y10_2, BEHIND, subject=w.english)
    w.term, w.y10, w.dee = this_terms[2], y10, dee
    return w


def _trend(client, url):
    """The trend of the dashboard at `url`: its own section, which the dashboard loads after the page."""
    page = client.get(url)
    assert page.status_code == 200 and page.context["trend"] is None
    trend_url = page.context["trend_url"]
    assert f'hx-get="{trend_url.replace("&", "&amp;")}"' in page.content.decode()
    response = client.get(trend_url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    response.page = page
    trend = response.context["trend"]
    return response, {
        row.label: (
            row.this_years,
            row.this_graded,
            row.this_pct,
            row.last_years,
            row.last_graded,
            row.last_pct,
        )
        for row in trend.rows
    }


def test_the_whole_school_trend_counts_every_year_group_at_each_half_term(history, login):
    w = history
    response, rows = _trend(login(w.slt.user), f"/dashboard/?term={w.term.pk}")
    # English is counted too at the whole school: Ada's 1 at Autumn 2, both years.
    assert rows == {
        "Autumn 1": ("Year 11", 2, 50, "Year 10", 1, 0),
        "Autumn 2": ("Years 10, 11", 5, 60, "Years 9, 10", 5, 40),
    }
    trend = response.context["trend"]
    [autumn2] = [row for row in trend.rows if row.number == 2]
    assert (autumn2.change_pct, str(trend.this_year), str(trend.last_year)) == (20, "2026/27", "2025/26")
    # The uplift's own half term is the page's figures, counted the same way.
    total = response.page.context["total"]
    assert (autumn2.this.graded, autumn2.this.on_or_above_pct, autumn2.this.avg_diff) == (
        total.graded,
        total.on_or_above_pct,
        total.avg_diff,
    )
    page = response.content.decode()
    assert "Through the year, and the same half terms last year" in page
    assert 'class="trend-chart"' in page and "2026/27: Autumn 1 50%, Autumn 2 60%." in page


def test_a_groups_trend_counts_only_its_own_pupils_in_its_subject(history, login):
    w = history
    url = f"/dashboard/?term={w.term.pk}&year=11&subject={w.maths.pk}&group={w.group.pk}"
    _response, rows = _trend(login(w.slt.user), url)
    # 11Ma1 is Ada and Ben: Cy (11Ma2), Dee (Year 10) and Ada's English are not theirs.
    assert rows == {
        "Autumn 1": ("Year 11", 2, 50, "Year 10", 1, 0),
        "Autumn 2": ("Year 11", 2, 100, "Year 10", 2, 50),
    }


def test_a_teachers_trend_follows_their_own_pupils_into_last_year(history, login):
    w = history
    _response, rows = _trend(login(w.teacher.user), f"/dashboard/?term={w.term.pk}")
    assert rows == {
        "Autumn 1": ("Year 11", 2, 50, "Year 10", 1, 0),
        "Autumn 2": ("Year 11", 2, 100, "Year 10", 2, 50),
    }


def test_a_year_groups_last_year_is_the_same_pupils_a_year_younger(history, login):
    w = history
    response, rows = _trend(login(w.slt.user), f"/dashboard/?term={w.term.pk}&year=11&subject={w.maths.pk}")
    assert rows["Autumn 2"] == ("Year 11", 3, 67, "Year 10", 3, 33)
    assert "when they were a year group younger (Year 10), not last year's Year 11" in (
        response.content.decode()
    )


def test_the_trend_loads_after_the_page_and_opens_as_a_page_of_its_own(history, login):
    w = history
    client = login(w.slt.user)
    query = f"term={w.term.pk}&year=11&subject={w.maths.pk}"
    page = client.get(f"/dashboard/?{query}").content.decode()
    # Until the section arrives the page shows its heading, and a link that opens it as a page of its
    # own in a browser without JavaScript.
    assert 'aria-busy="true"' in page and f'href="/dashboard/trend/?{query.replace("&", "&amp;")}"' in page
    fragment = client.get(f"/dashboard/trend/?{query}", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    assert 'class="trend-chart"' in fragment
    whole = client.get(f"/dashboard/trend/?{query}").content.decode()
    assert "<html" in whole and "Mathematics, Year 11: trend to" in whole and 'class="trend-chart"' in whole
    # Another school's group, or a term with no grades, is out of reach as on the dashboard.
    assert client.get(f"/dashboard/trend/?term={w.term.pk}&year=11&subject=999999").status_code == 404
    assert client.get("/dashboard/trend/?term=999999").status_code == 404


def test_the_trend_keeps_to_the_chosen_cohort(history, login):
    w = history
    w.dee.disadvantaged = True
    w.dee.save(update_fields=["disadvantaged"])
    _response, rows = _trend(login(w.slt.user), f"/dashboard/?term={w.term.pk}&disadvantaged=true")
    assert rows == {"Autumn 2": ("Year 10", 1, 100, "Year 9", 1, 100)}


def test_the_trend_is_in_the_download_and_the_print(history, login):
    import io

    from openpyxl import load_workbook

    from tests.pdftext import pdf_text

    w = history
    client = login(w.slt.user)
    book = load_workbook(io.BytesIO(client.get(f"/dashboard/?term={w.term.pk}&export=xlsx").content))
    sheet = [list(row) for row in book["Trend"].values]
    assert sheet[0][:3] == ["Half term", "2026/27: year groups", "2026/27: grades"]
    assert sheet[2][:4] == ["Autumn 2", "Years 10, 11", 5, "60%"]
    text = pdf_text(client.get(reverse("dashboard") + f"?term={w.term.pk}&print=pdf").content)
    assert "Through the year, and the same half terms last year" in text and "2025/26" in text


def test_grades_counted_together_give_the_figures_of_grades_counted_one_by_one(history):
    """The trend counts grades alike in what their standing is worked out from together (figure_sets'
    `alike`): every figure as when each grade is counted on its own, in both databases' forms."""
    w = history
    entries = GradeEntry.objects.filter(school=w.school, pupil__is_active=True)
    points = list(AssessmentPoint.objects.filter(school=w.school).select_related("year_group"))
    groupings = {
        "point": ("point_id", "int"),
        "year": ("point__year_group__number", "int"),
        "gender": ("pupil__gender", "text"),
        "disadvantaged": ("pupil__disadvantaged", "bool"),
    }
    thresholds = standing.Thresholds.of(w.school)
    for vendor in ("postgresql", "sqlite"):
        one_by_one, together = (
            figures.figure_sets(entries, thresholds, {}, groupings, points, vendor=vendor, alike=alike)
            for alike in (False, True)
        )
        assert together == one_by_one
        assert together["total"].graded == entries.count() > len(together["point"])
    with pytest.raises(ValueError):
        figures.figure_sets(entries, thresholds, {w.point.pk: points[0].pk}, groupings, points, alike=True)
