"""The leaders' dashboard: figures that agree with tracking.standing, drill-down, scope, fixed queries, A8."""

import csv
import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tracking import standing
from tracking.dashboards import figures
from tracking.models import AuditEvent, GradeEntry, HalfTerm, ProgressEstimate

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(world):
    """Grades at an uplift (half term) for the world's Year 11: every standing represented."""
    term = HalfTerm.objects.create(
        academic_year=world.year,
        number=2,
        name="Autumn 2",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 19),
    )
    world.point.half_term = term
    world.point.save()
    school = world.school
    plan = [  # pupil, subject, predicted grade, published target
        (world.child, world.maths, "7", "6"),  # above
        (world.classmate, world.maths, "6", "6"),  # on
        (world.other_child, world.maths, "5", "6"),  # below
        (world.child, world.english, "3", "6"),  # well below (and below grade 4)
        (world.classmate, world.english, "6", None),  # no target: no standing
    ]
    for pupil, subject, predicted, target in plan:
        f.GradeEntryFactory(
            pupil=pupil,
            subject=subject,
            point=world.point,
            current=f.grade(school, predicted),
            predicted=f.grade(school, predicted),
        )
        if target:
            f.TargetFactory(pupil=pupil, subject=subject, grade=f.grade(school, target))
    world.term = term
    return world


def _total(world, entries=None):
    entries = entries if entries is not None else GradeEntry.objects.filter(school=world.school)
    return figures.figure_sets(entries, standing.Thresholds.of(world.school), {}, {})["total"]


def test_the_dashboard_counts_exactly_what_tracking_standing_decides(graded):
    w = graded
    book = standing.Book(w.school)
    expected = {}
    for entry in GradeEntry.objects.filter(school=w.school).select_related("point", "current", "predicted"):
        target = (
            entry.pupil.targets.filter(subject=entry.subject).first()
            if hasattr(entry.pupil, "targets")
            else None
        )
        target = (
            target
            or __import__("tracking.models", fromlist=["Target"])
            .Target.objects.filter(pupil=entry.pupil, subject=entry.subject)
            .first()
        )
        status = book.judge_entry(entry, target).status
        expected[status] = expected.get(status, 0) + 1
    total = _total(w)
    counted = {
        s: getattr(total, s) for s in (standing.ABOVE, standing.ON, standing.BELOW, standing.WELL_BELOW)
    }
    assert counted == {s: expected.get(s, 0) for s in counted}
    assert sum(counted.values()) == total.with_standing == 4
    assert total.graded == 5
    assert (total.gcse, total.pass4, total.pass5) == (5, 4, 4)


def test_slt_drill_from_the_school_to_a_groups_pupils(graded, login):
    w = graded
    client = login(w.slt.user)
    page = client.get("/dashboard/").content.decode()
    assert "Year 11" in page and f"?term={w.term.pk}&amp;year=11" in page
    page = client.get(f"/dashboard/?term={w.term.pk}&year=11").content.decode()
    assert "Mathematics" in page and "English Language" in page
    page = client.get(f"/dashboard/?term={w.term.pk}&year=11&subject={w.maths.pk}").content.decode()
    assert "11Ma1" in page and "11Ma2" in page
    page = client.get(
        f"/dashboard/?term={w.term.pk}&year=11&subject={w.maths.pk}&group={w.group.pk}"
    ).content.decode()
    assert f'data-standing="above" data-pupil="{w.child.pk}"' in page
    assert f'data-standing="on" data-pupil="{w.classmate.pk}"' in page
    assert f'data-pupil="{w.other_child.pk}"' not in page  # in 11Ma2, not this group


def test_the_disadvantaged_gap_is_shown(graded, login):
    w = graded
    w.child.disadvantaged = True
    w.child.save()
    page = login(w.slt.user).get("/dashboard/").content.decode()
    assert "Gap: Disadvantaged compared with others" in page


def test_a_teacher_counts_only_their_own_pupils_in_their_subject(graded):
    from tracking import permissions

    w = graded
    entries = permissions.dashboard_entries(w.teacher.user, w.school)
    assert set(entries.values_list("pupil_id", "subject_id")) == {
        (w.child.pk, w.maths.pk),
        (w.classmate.pk, w.maths.pk),
    }
    hod = permissions.dashboard_entries(w.hod.user, w.school)
    assert set(hod.values_list("subject_id", flat=True)) == {w.maths.pk}
    assert permissions.dashboard_entries(w.tutor.user, w.school) is None
    assert permissions.dashboard_entries(w.parent.user, w.school) is None


def test_a_teacher_opens_on_the_newest_uplift_with_their_own_pupils_grades(graded, login):
    """A newer uplift holding only other teachers' grades (an open window they have not filled) is not
    where a teacher's dashboard opens; SLT's opens on it, and the teacher can still pick it."""
    w = graded
    spring = HalfTerm.objects.create(
        academic_year=w.year, number=3, name="Spring 1", starts_on=date(2027, 1, 5), ends_on=date(2027, 2, 12)
    )
    later = f.AssessmentPointFactory(
        school=w.school, year_group=w.y11, half_term=spring, sequence=w.point.sequence + 1
    )
    f.GradeEntryFactory(pupil=w.other_child, subject=w.english, point=later, current=f.grade(w.school, "5"))
    teacher = login(w.teacher.user).get("/dashboard/")
    assert teacher.context["scope"].term.pk == w.point.half_term_id
    assert teacher.context["total"].graded == 2  # Ada and Ben in maths
    assert login(w.slt.user).get("/dashboard/").context["scope"].term == spring
    assert login(w.teacher.user).get(f"/dashboard/?term={spring.pk}").context["scope"].term == spring


def test_both_forms_of_a_teachers_scope_find_the_same_grades(graded):
    """SQLite finds a teacher's grades from their groups' memberships, PostgreSQL tests each grade against
    the groups: the same grades, whichever teacher."""
    from tracking.models import GradeEntry
    from tracking.permissions import leaders

    w = graded
    f.GradeEntryFactory(pupil=w.other_child, subject=w.english, point=w.point, current=f.grade(w.school, "5"))
    for staff in (w.teacher, w.other_teacher):
        found = {
            vendor: set(
                GradeEntry.objects.filter(leaders._taught_entries(staff, vendor)).values_list("pk", flat=True)
            )
            for vendor in ("postgresql", "sqlite")
        }
        assert found["sqlite"] == found["postgresql"] and found["sqlite"]


@pytest.mark.parametrize(
    "query",
    [
        "year=9",
        "year=11&subject={other_subject}",
        "year=11&subject={maths}&group={other_group}",
        "term=999999",
    ],
)
def test_what_is_out_of_scope_is_not_found(graded, other_world, login, query):
    w = graded
    url = "/dashboard/?" + query.format(
        other_subject=other_world.maths.pk, maths=w.maths.pk, other_group=w.other_group.pk
    )
    assert login(w.teacher.user).get(url).status_code == 404


def test_the_page_makes_the_same_queries_however_many_pupils(graded, login):
    w = graded
    client = login(w.slt.user)
    url = f"/dashboard/?term={w.term.pk}&year=11"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(12):
        pupil = f.PupilFactory(school=w.school, year_group=w.y11)
        f.GradeEntryFactory(
            pupil=pupil, subject=w.maths, point=w.point, predicted=f.grade(w.school, str(1 + n % 9))
        )
        f.TargetFactory(pupil=pupil, subject=w.maths)
    # The grades just written are worked out once, when first counted (a fixed number of
    # queries: tests/tracking/test_held_standings.py); the page then reads the same queries as before.
    standing.refresh_held()
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    assert len(many) <= 20


def test_the_table_downloads_as_csv(graded, login):
    w = graded
    response = login(w.slt.user).get(f"/dashboard/?term={w.term.pk}&year=11&export=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Subject"
    maths = next(r for r in rows if r[0] == "Mathematics")
    assert maths[1] == "3"  # three maths grades


def test_attainment8_and_progress8_for_year_11(graded, login):
    w = graded
    ProgressEstimate.objects.create(school=w.school, ks2_from=80, estimated_a8=30)
    w.child.ks2_reading = w.child.ks2_maths = 100
    w.child.save()
    client = login(w.slt.user)
    page = client.get(f"/dashboard/attainment8/?term={w.term.pk}&year=11").content.decode()
    # Ada: maths 7 double weighted (14) + English language 3 alone (3) = 17; P8 (17 - 30) / 10.
    assert "<strong>17.0</strong>" in page
    assert "-1.3" in page
    assert login(w.teacher.user).get("/dashboard/attainment8/").status_code == 404


def test_pupils_with_the_same_grade_each_score_only_their_own_results(graded):
    from tracking.dashboards.attainment8_pupils import attainment8_rows
    from tracking.models import AssessmentPoint, Category, EstimateTable

    w = graded
    GradeEntry.objects.filter(pupil=w.classmate, subject=w.maths).update(
        current=f.grade(w.school, "7"), predicted=f.grade(w.school, "7")
    )
    science = f.SubjectFactory(school=w.school, name="Combined Science", category=Category.COMBINED_SCIENCE)
    six = f.grade(w.school, "6")  # on the single GCSE scale: counted as 6-6, twice
    f.GradeEntryFactory(pupil=w.classmate, subject=science, point=w.point, current=six, predicted=six)
    points = list(AssessmentPoint.objects.filter(pk=w.point.pk).select_related("year_group"))
    entries = GradeEntry.objects.filter(school=w.school)
    rows = attainment8_rows(entries, points, w.school, EstimateTable(w.school))
    scores = {row[0].pk: row[1] for row in rows}
    # Both have maths 7 (14, double weighted); Ada adds English 3, her classmate English 6 and science 6-6.
    assert (scores[w.child.pk].attainment8, scores[w.child.pk].ebacc) == (17.0, 0.0)
    assert (scores[w.classmate.pk].attainment8, scores[w.classmate.pk].ebacc) == (32.0, 12.0)
    assert scores[w.other_child.pk].attainment8 == 10.0


def test_the_attainment8_table_sorts_and_downloads_as_csv_and_xlsx(graded, login):
    from openpyxl import load_workbook

    w = graded
    client = login(w.slt.user)
    url = f"/dashboard/attainment8/?term={w.term.pk}&year=11"
    page = client.get(url + "&sort=-attainment8").content.decode()
    assert 'aria-sort="descending"' in page
    body = page[page.index("<tbody") :]
    scores = [float(x) for x in re.findall(r"<strong>([0-9.]+)</strong>", body)]
    assert len(scores) >= 2 and scores == sorted(scores, reverse=True)
    rows = list(csv.reader(io.StringIO(client.get(url + "&export=csv").content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Pupil",
        "UPN",
        "Year",
        "Disadvantaged",
        "English",
        "Maths",
        "EBacc",
        "Open",
        "Attainment 8",
        "Estimate",
        "Progress 8",
        "English P8",
        "Maths P8",
        "EBacc P8",
        "Open P8",
    ]
    assert any(r[0] == w.child.sorted_name and r[8] == "17.0" for r in rows[1:]), rows
    book = load_workbook(io.BytesIO(client.get(url + "&export=xlsx").content))
    assert book.sheetnames == [
        "Attainment 8",
        "A8 All pupils",
        "A8 Disadvantaged",
        "A8 SEN",
        "A8 EAL",
        "A8 Gender",
        "A8 Prior attainment",
        "A8 Looked after",
    ]
    assert book["Attainment 8"].max_row == len(rows)


def test_the_data_manager_edits_the_estimates_with_every_bad_line_named(world, login):
    client = login(world.data_manager.user)
    response = client.post("/dashboard/progress-estimates/", {"table": "95,38.5\nabc\n150,20\n95,40"})
    page = response.content.decode()
    assert "line 2: &#x27;abc&#x27;" in page and "line 3" in page and "listed twice" in page
    assert not ProgressEstimate.objects.exists()
    client.post("/dashboard/progress-estimates/", {"table": "95,38.5\n105,50.1"})
    assert list(ProgressEstimate.objects.values_list("ks2_from", flat=True)) == [95, 105]
    assert AuditEvent.objects.filter(action="tracking.progress_estimates.changed").count() == 1


def test_the_trend_counts_the_pupils_on_roll_as_the_rest_of_the_page_does(graded):
    from tracking import permissions
    from tracking.dashboards import queries

    w = graded
    w.classmate.is_active = False  # left: their two grades leave every figure
    w.classmate.save(update_fields=["is_active"])
    entries = permissions.dashboard_entries(w.slt.user, w.school)
    _points, trend_points = queries.uplift_points(w.term, queries.terms_with_data(w.school))
    [row] = queries.trend(entries, standing.Thresholds.of(w.school), trend_points).rows
    page = _total(w, GradeEntry.objects.filter(school=w.school, pupil__is_active=True))
    assert (row.this.graded, row.this.with_standing) == (page.graded, page.with_standing) == (3, 3)


def _group_url(w):
    return f"/dashboard/?term={w.term.pk}&year=11&subject={w.maths.pk}&group={w.group.pk}"


def _order(page, pupils):
    """The pupils in the order the page's rows show them."""
    return sorted(pupils, key=lambda p: page.index(f'data-pupil="{p.pk}"'))


def test_a_groups_pupils_sort_by_grade_and_standing_and_download_every_one(graded, login):
    w = graded
    behind = f.PupilFactory(school=w.school, year_group=w.y11, legal_first_name="Zed", legal_last_name="Ayr")
    w.group.pupils.add(behind)
    f.GradeEntryFactory(
        pupil=behind, subject=w.maths, point=w.point, current=f.grade(w.school, "3"),
        predicted=f.grade(w.school, "3"),
    )  # fmt: skip
    f.TargetFactory(pupil=behind, subject=w.maths, grade=f.grade(w.school, "6"))
    client = login(w.slt.user)
    url = _group_url(w)
    pupils = (w.child, w.classmate, behind)  # above (7), on (6), well below (3)
    page = client.get(url).content.decode()
    assert _order(page, pupils) == [w.classmate, behind, w.child]  # by name: Ash, Ayr, Lamb
    assert "p-sort=standing" in page and "p-sort=grade" in page
    page = client.get(url + "&p-sort=standing").content.decode()
    assert _order(page, pupils) == [behind, w.classmate, w.child]
    page = client.get(url + "&p-sort=-standing").content.decode()
    assert _order(page, pupils) == [w.child, w.classmate, behind]
    page = client.get(url + "&p-sort=-grade").content.decode()
    assert _order(page, pupils) == [w.child, w.classmate, behind]
    # The download keeps the page's order.
    assert "p-sort=-grade&amp;export=csv" in page
    rows = list(
        csv.reader(io.StringIO(client.get(url + "&p-sort=-grade&export=csv").content.decode("utf-8-sig")))
    )
    assert [r[0] for r in rows[1:]] == ["Lamb, Ada", "Ash, Ben", "Ayr, Zed"]
    rows = list(csv.reader(io.StringIO(client.get(url + "&export=csv").content.decode("utf-8-sig"))))
    assert rows[0] == ["Pupil", "UPN", "Form", "Grade", "Standing"]
    assert rows[1:] == [
        ["Ash, Ben", w.classmate.upn, str(w.classmate.form), "6", "On target"],
        ["Ayr, Zed", behind.upn, "", "3", "Well below target"],
        ["Lamb, Ada", w.child.upn, str(w.child.form), "7", "Above target"],
    ]  # every pupil of the group, none of 11Ma2's
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(url + "&export=xlsx").content))
    assert book.sheetnames[0] == "Pupils"
    assert [r[0] for r in book["Pupils"].values] == ["Pupil", "Ash, Ben", "Ayr, Zed", "Lamb, Ada"]
    # A teacher of 11Ma2 may not download 11Ma1's pupils.
    assert login(w.other_teacher.user).get(url + "&export=csv").status_code == 404


def test_a_groups_pupils_show_fifty_a_page_in_the_same_queries_however_many(graded, login):
    w = graded
    client = login(w.slt.user)
    url = _group_url(w)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(55):
        pupil = f.PupilFactory(school=w.school, year_group=w.y11, legal_last_name=f"Many{n:02}")
        w.group.pupils.add(pupil)
        f.GradeEntryFactory(
            pupil=pupil, subject=w.maths, point=w.point, predicted=f.grade(w.school, str(1 + n % 9))
        )
        f.TargetFactory(pupil=pupil, subject=w.maths)
    # The grades just written are worked out once, when first counted (a fixed number of
    # queries: tests/tracking/test_held_standings.py); the page then reads the same queries as before.
    standing.refresh_held()
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    # Session and access 5, the scope 5, figures 8, the group's pupils 5 (grades, targets and the judging
    # book's points, flight paths and grades). The trend is a section of its own (views/trend.py).
    assert len(many) == len(few) <= 23
    assert page.count('data-pupil="') == 50 and "p-page=2" in page
    assert client.get(url + "&p-page=2").content.decode().count('data-pupil="') == 7
    rows = list(csv.reader(io.StringIO(client.get(url + "&export=csv").content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 57
