"""In-school variation (subjects and groups against their own targets, outliers marked in words), and every
dashboard's tables as CSV / XLSX and the page as a PDF."""

import io
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests import factories as f
from tests.pdftext import pdf_text
from tests.tracking.dashboards.movement import with_movement
from tests.tracking.dashboards.test_trust import grade_world
from tracking import standing

pytestmark = pytest.mark.django_db


def _two_groups(w):
    """Six pupils on their targets in 11Ma1, six two grades under in 11Ma2; English in between."""
    plan = []
    for n in range(6):
        good = f.PupilFactory(school=w.school, year_group=w.y11, legal_last_name=f"Good{n}")
        weak = f.PupilFactory(school=w.school, year_group=w.y11, legal_last_name=f"Weak{n}")
        w.group.pupils.add(good)
        w.other_group.pupils.add(weak)
        plan += [(good, w.maths, "6", "6"), (weak, w.maths, "4", "6"), (good, w.english, "5", "6")]
    return plan


@pytest.fixture
def varied(world):
    return grade_world(world, _two_groups)


def test_groups_far_from_the_rest_of_their_subject_are_marked_in_words(varied, login):
    w = varied
    client = login(w.slt.user)
    response = client.get(f"/dashboard/variation/?term={w.term.pk}")
    assert response.status_code == 200
    subjects, groups = (list(t.data) for t in response.context["tables"])
    by_group = {r.label: r for r in groups}
    assert by_group["11Ma1 (Mathematics)"].outlier == "above"
    assert by_group["11Ma2 (Mathematics)"].outlier == "below"
    assert by_group["11Ma1 (Mathematics)"].gap_to_rest == 2.0
    html = response.content.decode()
    assert "well below</strong>" in html and "well above</strong>" in html  # not colour alone
    assert {r.label for r in subjects} == {"Mathematics", "English Language"}


def test_variation_before_any_grades_says_so(world, login):
    response = login(world.slt.user).get("/dashboard/variation/?export=xlsx&print=pdf")
    assert response.status_code == 200 and "No grades yet" in response.content.decode()


def test_a_head_of_department_sees_only_their_departments_variation(varied, login):
    w = varied
    response = login(w.hod.user).get(f"/dashboard/variation/?term={w.term.pk}")
    subjects, _groups = (list(t.data) for t in response.context["tables"])
    assert [r.label for r in subjects] == ["Mathematics"]
    assert login(w.tutor.user).get("/dashboard/variation/").status_code == 404


def test_variation_reads_a_fixed_number_of_queries(varied, login):
    w = varied
    client = login(w.slt.user)
    url = f"/dashboard/variation/?term={w.term.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        pupil = f.PupilFactory(school=w.school, year_group=w.y11)
        group = f.TeachingGroupFactory(
            school=w.school, subject=w.maths, year_group=w.y11, name=f"11Ma{n + 5}", pupils=[pupil]
        )
        assert group
        f.GradeEntryFactory(pupil=pupil, subject=w.maths, point=w.point, current=f.grade(w.school, "5"))
    # The grades just written are worked out once, when first counted (a fixed number of
    # queries: tests/tracking/test_held_standings.py); the page then reads the same queries as before.
    standing.refresh_held()
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few.captured_queries) == len(many.captured_queries)


def test_tables_sort_and_bad_sort_or_term_input_is_no_error(varied, login):
    w = varied
    client = login(w.slt.user)
    response = client.get(f"/dashboard/?term={w.term.pk}&year=11&r-sort=-avg_diff")
    labels = [r.label for r in response.context["rows_table"].rows.data]
    assert labels == ["Mathematics", "English Language"] or labels == ["English Language", "Mathematics"]
    ordered = [row.record.avg_diff for row in response.context["rows_table"].rows]
    assert ordered == sorted(ordered, reverse=True)
    for query in ("r-sort=nonsense", "s-sort=%00", "term=abc", "term=99999999", "year=x", "print=nope"):
        assert client.get(f"/dashboard/?{query}").status_code in (200, 404)
        assert client.get(f"/dashboard/variation/?{query}").status_code in (200, 404)


def test_the_dashboard_downloads_every_table_as_one_workbook(varied, login):
    w = varied
    w.maths.name = "=HYPERLINK(1)"
    w.maths.save()
    response = login(w.slt.user).get(f"/dashboard/?term={w.term.pk}&year=11&export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["Subject", "Disadvantaged", "SEN"]
    rows = list(book["Subject"].values)
    assert rows[0][:3] == ("Subject", "Grades", "% Above target")
    assert ("'=HYPERLINK(1)", 12) in [r[:2] for r in rows]  # a formula stays text


def test_variation_downloads_as_csv_and_xlsx(varied, login):
    w = varied
    client = login(w.slt.user)
    csv_text = client.get(f"/dashboard/variation/?term={w.term.pk}&export=csv&table=groups").content
    assert csv_text.decode("utf-8-sig").startswith("Teaching group,Compared with the rest,")
    assert "well below (-2.00)" in csv_text.decode("utf-8-sig")
    book = load_workbook(
        io.BytesIO(client.get(f"/dashboard/variation/?term={w.term.pk}&export=xlsx").content)
    )
    assert book.sheetnames == ["Subject", "Teaching group"]


def test_each_dashboard_prints_as_a_pdf_in_the_schools_words(varied, login):
    w = varied
    w.school.label_well_below = "Cause for concern"
    w.school.save()
    client = login(w.slt.user)
    response = client.get(f"/dashboard/?term={w.term.pk}&year=11&print=pdf")
    assert response["Content-Type"] == "application/pdf"
    _keep(response.content, "dashboard.pdf")
    text = pdf_text(response.content)
    assert "Year 11: dashboard" in text and "Mathematics" in text and "Cause for concern" in text
    content = client.get(f"/dashboard/variation/?term={w.term.pk}&print=pdf").content
    _keep(content, "variation.pdf")
    text = pdf_text(content)
    assert "In-school variation" in text and "well below" in text


def _keep(content, name):
    """UPLIFT_SCREENSHOTS=DIR keeps the PDF to look at."""
    if os.environ.get("UPLIFT_SCREENSHOTS"):
        Path(os.environ["UPLIFT_SCREENSHOTS"], name).write_bytes(content)


def test_attainment8_prints_as_a_pdf(varied, login):
    w = varied
    content = login(w.slt.user).get(f"/dashboard/attainment8/?term={w.term.pk}&print=pdf").content
    text = pdf_text(content)
    assert "Attainment 8 / Progress 8 estimates" in text and "Good0" in text


def test_attainment8_prints_the_page_of_pupils_on_screen(varied, login, monkeypatch):
    """Years 10 and 11 of a large school are thousands of pupils: paper holds the page on screen."""
    from tracking.dashboards.tables.attainment8 import Attainment8Table

    monkeypatch.setattr(Attainment8Table._meta, "per_page", 2)
    w = varied
    client = login(w.slt.user)
    query = f"term={w.term.pk}&sort=-name&page=2"
    screen = client.get(f"/dashboard/attainment8/?{query}")
    table = screen.context["table"]
    shown = [row.record.name for row in table.page.object_list]
    others = [record.name for record in table.data if record.name not in shown]
    assert f"{query.replace('&', '&amp;')}&amp;print=pdf" in screen.content.decode()
    text = pdf_text(client.get(f"/dashboard/attainment8/?{query}&print=pdf").content)
    assert all(name in text for name in shown) and not any(name in text for name in others)
    count = len(table.data)
    pages = (count + 1) // 2
    flat = " ".join(text.split())
    assert f"Rows 3–4 of {count}: page 2 of {pages}, as on screen, sorted by Pupil, descending." in flat


def test_a_cohort_filter_narrows_every_figure_and_rides_along_in_the_links(varied, login):
    w = varied
    for pupil in w.school.pupils.filter(legal_last_name__startswith="Weak"):
        pupil.disadvantaged = True
        pupil.save()
    client = login(w.slt.user)
    response = client.get(f"/dashboard/?term={w.term.pk}&disadvantaged=true")
    assert response.context["total"].graded == 6  # the six weaker pupils' maths grades only
    assert f"?term={w.term.pk}&amp;year=11&amp;disadvantaged=true" in response.content.decode()
    # A drill-down keeps the cohort; nonsense values are ignored, never an error.
    response = client.get(f"/dashboard/?term={w.term.pk}&year=11&disadvantaged=true&sen=Q&gender=%00")
    assert response.status_code == 200
    assert {r.label: r.graded for r in response.context["rows"]} == {"Mathematics": 6}
    variation = client.get(f"/dashboard/variation/?term={w.term.pk}&disadvantaged=false")
    subjects, _groups = (list(t.data) for t in variation.context["tables"])
    assert {r.label: r.graded for r in subjects} == {"Mathematics": 6, "English Language": 6}


def test_movers_count_each_grade_up_or_down_since_the_point_before(world):
    """Up / down compare the grade that counts with the same pupil's in the same subject at the point
    before, for the same year group and year (a pupil new at this point moves neither way)."""
    from tracking import standing
    from tracking.dashboards import figures
    from tracking.models import GradeEntry

    w = world
    before = w.point
    after = f.AssessmentPointFactory(
        school=w.school,
        academic_year=w.year,
        year_group=w.y11,
        name="Y11 Spring 1",
        sequence=before.sequence + 1,
    )
    newcomer = f.PupilFactory(school=w.school, year_group=w.y11)
    for pupil, was, now in (
        (w.child, "5", "6"),
        (w.classmate, "6", "5"),
        (w.other_child, "6", "6"),
        (newcomer, None, "7"),
    ):
        if was:
            f.GradeEntryFactory(pupil=pupil, subject=w.maths, point=before, current=f.grade(w.school, was))
        f.GradeEntryFactory(pupil=pupil, subject=w.maths, point=after, current=f.grade(w.school, now))
    # English moved up for Ada at the earlier point only: nothing at the later point to compare.
    f.GradeEntryFactory(pupil=w.child, subject=w.english, point=before, current=f.grade(w.school, "4"))
    previous = standing.previous_points([after])
    assert previous == {after.pk: before.pk}
    entries = GradeEntry.objects.filter(point=after)
    sets = figures.figure_sets(
        entries, standing.Thresholds.of(w.school), previous, {"subject": ("subject_id", "int")}
    )
    assert (sets["total"].up, sets["total"].down, sets["total"].graded) == (1, 1, 4)
    assert [(r.key, r.up, r.down) for r in sets["subject"]] == [(w.maths.pk, 1, 1)]
    # The same as the per-grade answer (tests/tracking/dashboards/movement.py).
    annotated = with_movement(standing.annotate_standing(entries, standing.Thresholds.of(w.school)), previous)
    ups = sum(1 for e in annotated if e.prev_step is not None and e.counting_step > e.prev_step)
    downs = sum(1 for e in annotated if e.prev_step is not None and e.counting_step < e.prev_step)
    assert (ups, downs) == (1, 1)


def test_a_years_first_point_moves_from_the_same_pupils_last_point_of_the_year_before(world):
    """One point before, for the dashboards and the health checks alike: within the year, the year
    group's point before; for the year's first, last year's final point of the year group below."""
    from datetime import date

    from tracking import standing
    from tracking.dashboards import figures
    from tracking.models import GradeEntry

    w = world
    last_year = f.AcademicYearFactory(
        school=w.school,
        name="2025/26",
        starts_on=date(2025, 9, 1),
        ends_on=date(2026, 8, 31),
        is_current=False,
    )
    y10 = f.YearGroupFactory(school=w.school, number=10)
    autumn, summer = (
        f.AssessmentPointFactory(school=w.school, academic_year=last_year, year_group=y10, sequence=n)
        for n in (1, 6)
    )
    f.AssessmentPointFactory(
        school=w.school, academic_year=last_year, year_group=w.y11, sequence=6
    )  # other pupils
    later = f.AssessmentPointFactory(
        school=w.school, academic_year=w.year, year_group=w.y11, sequence=w.point.sequence + 1
    )
    assert standing.previous_points([w.point, later, autumn, summer]) == {
        w.point.pk: summer.pk,
        later.pk: w.point.pk,
        summer.pk: autumn.pk,
    }
    g = lambda code: f.grade(w.school, code)  # noqa: E731
    f.GradeEntryFactory(pupil=w.child, subject=w.maths, point=summer, current=g("5"))
    f.GradeEntryFactory(pupil=w.child, subject=w.maths, point=w.point, current=g("6"))
    sets = figures.figure_sets(
        GradeEntry.objects.filter(point=w.point),
        standing.Thresholds.of(w.school),
        standing.previous_points([w.point]),
        {"subject": ("subject_id", "int")},
    )
    assert (sets["total"].up, sets["total"].down) == (1, 0)


def test_both_forms_of_movement_count_the_grade_that_counted_at_the_point_before(world):
    """SQLite looks the grade before up per grade (its unique index), PostgreSQL joins every grade before
    at once: the same movers either way, the prediction counting where the point before collected one."""
    from tracking import standing
    from tracking.dashboards import figures
    from tracking.models import GradeEntry

    w = world
    before = w.point
    before.collects_predicted = True
    before.save()
    after = f.AssessmentPointFactory(
        school=w.school,
        academic_year=w.year,
        year_group=w.y11,
        name="Y11 Spring 1",
        sequence=before.sequence + 1,
    )
    g = lambda code: f.grade(w.school, code)  # noqa: E731
    for pupil, subject, was, predicted, now in (
        (w.child, w.maths, "4", "7", "6"),  # the prediction (7) counted before: down
        (w.child, w.english, "4", None, "6"),  # no prediction, the current grade counted: up
        (w.classmate, w.maths, "6", "5", "6"),  # predicted 5 before: up
        (w.other_child, w.maths, "6", None, "6"),  # the same: neither
    ):
        f.GradeEntryFactory(
            pupil=pupil, subject=subject, point=before, current=g(was), predicted=predicted and g(predicted)
        )
        f.GradeEntryFactory(pupil=pupil, subject=subject, point=after, current=g(now))
    previous = standing.previous_points([after])
    entries = GradeEntry.objects.filter(point=after)
    thresholds = standing.Thresholds.of(w.school)
    groupings = {"subject": ("subject_id", "int"), "year": ("point__year_group__number", "int")}
    forms = {
        vendor: figures.figure_sets(entries, thresholds, previous, groupings, vendor=vendor)
        for vendor in ("postgresql", "sqlite")
    }
    assert forms["sqlite"] == forms["postgresql"]
    total = forms["sqlite"]["total"]
    assert (total.up, total.down) == (2, 1)
    annotated = with_movement(standing.annotate_standing(entries, thresholds), previous)
    assert sum(1 for e in annotated if e.prev_step is not None and e.counting_step > e.prev_step) == 2


def test_variation_shows_and_prints_groups_a_page_at_a_time_but_downloads_all(varied, login, monkeypatch):
    from tracking.dashboards.views import cohort

    monkeypatch.setattr(cohort, "VARIATION_GROUPS_PER_PAGE", 1)
    w = varied
    client = login(w.slt.user)
    page = client.get(f"/dashboard/variation/?term={w.term.pk}&g-sort=label&g-page=2")
    groups = page.context["tables"][1]
    assert [row.record.label for row in groups.page.object_list] == ["11Ma2 (Mathematics)"]
    # The print button prints this page: its sort and its page of groups.
    assert "g-sort=label&amp;g-page=2&amp;print=pdf" in page.content.decode()
    book = load_workbook(
        io.BytesIO(client.get(f"/dashboard/variation/?term={w.term.pk}&export=xlsx").content)
    )
    assert len(list(book["Teaching group"].values)) == 3  # the heading and both groups
    url = f"/dashboard/variation/?term={w.term.pk}&g-sort=label&g-page=2&print=pdf"
    text = " ".join(pdf_text(client.get(url).content).split())
    assert "11Ma2" in text and "11Ma1" not in text
    assert "Rows 2–2 of 2: page 2 of 2, as on screen, sorted by Teaching group, ascending." in text
    assert "the CSV and XLSX downloads hold every row" in text
    assert "Mathematics" in text and "English" in text  # every subject: a school has a few dozen


def test_a_printed_page_names_its_cohort_and_caps_its_rows(varied, login, monkeypatch):
    from tracking.lib import printed

    monkeypatch.setattr(printed, "MOST_ROWS", 1)
    w = varied
    client = login(w.slt.user)
    url = f"/dashboard/variation/?term={w.term.pk}&gender=F&disadvantaged=false&g-per_page=500&print=pdf"
    text = " ".join(pdf_text(client.get(url).content).split())
    assert "pupils counted: Disadvantaged: no · Gender: Female" in text
    # ?per_page= asks for more than paper holds: the first rows of the page asked for, and said so.
    assert "Rows 1–1 of 2: page 1 of 1, as on screen (its first 1 rows: paper holds no more)" in text
