"""Year leaders' lists, the transition report, the tutor's view, and dashboard scope for HoDs and teachers."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories as f
from tracking import standing
from tracking.dashboards import year_lists
from tracking.models import Pupil, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(world):
    """Year 11 at a point with four subjects: Ada below in three (low attendance, effort 4), Ben above in
    three with effort 1, Cy on target. Maths is taught by `teacher` (Ada, Ben) and `other_teacher` (Cy)."""
    w = world
    science_dept = f.DepartmentFactory(school=w.school, name="Science")
    humanities = f.DepartmentFactory(school=w.school, name="Humanities")
    w.science = f.SubjectFactory(
        school=w.school, department=science_dept, name="Biology", code="BI", category="science"
    )
    w.history = f.SubjectFactory(
        school=w.school, department=humanities, name="History", code="HI", category="history"
    )
    plan = {  # pupil -> (predicted grade, effort) in every subject; every target is 6
        w.child: ("4", 4),  # two grades under: well below
        w.classmate: ("8", 1),  # above
        w.other_child: ("6", 2),  # on
    }
    for pupil, (predicted, effort) in plan.items():
        for subject in (w.maths, w.english, w.science, w.history):
            f.GradeEntryFactory(
                pupil=pupil,
                subject=subject,
                point=w.point,
                current=f.grade(w.school, predicted),
                predicted=f.grade(w.school, predicted),
                effort=effort,
            )
            f.TargetFactory(pupil=pupil, subject=subject, grade=f.grade(w.school, "6"))
    w.child.attendance = Decimal("84.5")
    w.child.save()
    w.classmate.attendance = Decimal("98.0")
    w.classmate.save()
    return w


def _lists(response):
    """{list name: its table} of a year leaders' lists page."""
    return {table.anchor: table for table in response.context["lists"]}


def _members(lists, name):
    """The pupils on a list (every page of it)."""
    return {row.record.pupil.pk for row in lists[name].rows}


def _shown(lists, name):
    """The pupils on the list's page shown, in the order shown."""
    return [row.record.pupil.pk for row in lists[name].paginated_rows]


def test_the_lists_follow_the_rules_without_a_database():
    def row(**counts):
        return year_lists.PupilCounts(pupil=Pupil(legal_first_name="A", legal_last_name="X"), **counts)

    steady = row(graded=4, good_effort=4, above=3)
    patchy = row(graded=4, good_effort=3, effort_concern=1, below=2)
    struggling = row(graded=5, effort_concern=3, below=4)
    lists = year_lists.draw([steady, patchy, struggling])
    assert lists["good_effort"] == [steady]  # one effort concern keeps a pupil off the commendation
    assert lists["good_progress"] == [steady]
    assert lists["effort_concern"] == [struggling]
    assert lists["slower_progress"] == [struggling]  # two subjects below is not "a range"
    assert year_lists.draw([patchy], year_lists.ListRules(range_of_subjects=2))["slower_progress"] == [patchy]


def test_the_head_of_year_sees_each_list_with_the_attendance_check(reviewed, login):
    w = reviewed
    response = login(w.hoy.user).get("/dashboard/year-lists/")
    assert response.status_code == 200
    lists = _lists(response)
    assert _members(lists, "slower_progress") == {w.child.pk}
    assert _members(lists, "effort_concern") == {w.child.pk}
    assert _members(lists, "good_progress") == {w.classmate.pk}
    assert _members(lists, "good_effort") == {w.classmate.pk, w.other_child.pk}
    page = response.content.decode()
    assert "84.5%" in page and "low: check attendance" in page
    assert f'href="/dashboard/forms/{w.form.pk}/"' in page  # the year's forms lead to the tutor's view


def test_each_list_sorts_and_pages_on_its_own_and_counts_every_member(reviewed, login, monkeypatch):
    from tracking.dashboards.tables.pastoral import YearListTable

    w = reviewed
    monkeypatch.setattr(YearListTable._meta, "per_page", 1)
    client = login(w.hoy.user)
    first = client.get(f"/dashboard/year-lists/?point={w.point.pk}")
    lists = _lists(first)
    # Drawn most subjects first, then by name: Ash (Ben) before Dunn (Cy), both four subjects at effort 1-2.
    assert _shown(lists, "good_effort") == [w.classmate.pk]
    page = first.content.decode()
    assert "Good effort across a range of subjects (2)" in page and "Showing 1–1 of 2" in page
    # Page and sort links come back to their own list.
    assert f"?point={w.point.pk}&amp;good_effort-page=2#good_effort" in page
    assert "good_effort-sort=attendance#good_effort" in page
    second = client.get(
        f"/dashboard/year-lists/?point={w.point.pk}&good_effort-page=2&slower_progress-page=9"
    )
    lists = _lists(second)
    assert _shown(lists, "good_effort") == [w.other_child.pk]
    assert _shown(lists, "slower_progress") == [w.child.pk]  # a page past the end shows the last
    assert _members(lists, "good_effort") == {w.classmate.pk, w.other_child.pk}
    # Sorted by name descending, Dunn comes first; the other lists keep their own order.
    third = client.get(f"/dashboard/year-lists/?point={w.point.pk}&good_effort-sort=-name")
    assert _shown(_lists(third), "good_effort") == [w.other_child.pk]
    assert 'aria-sort="descending"' in third.content.decode()
    # Attendance sorts as a number, the unknown (Cy's) with the lowest: Cy, then Ben's 98.0%.
    fourth = client.get(f"/dashboard/year-lists/?point={w.point.pk}&good_effort-sort=attendance")
    assert _shown(_lists(fourth), "good_effort") == [w.other_child.pk]
    assert "good_effort-sort=-attendance#good_effort" in fourth.content.decode()


def test_the_lists_download_as_csv_and_xlsx(reviewed, login):
    w = reviewed
    client = login(w.hoy.user)
    response = client.get(f"/dashboard/year-lists/?point={w.point.pk}&export=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["List", "Pupil"]
    slower = [r for r in rows if r[0].startswith("Slower progress")]
    assert [(r[1], r[6], r[10], r[11]) for r in slower] == [("Lamb, Ada", "4", "84.5", "Y")]
    xlsx = client.get(f"/dashboard/year-lists/?point={w.point.pk}&export=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def _year10_listed(w):
    """A Year 10 point with Dee on its good-effort list (effort 1 in three subjects)."""
    y10 = f.YearGroupFactory(school=w.school, number=10)
    point = f.AssessmentPointFactory(school=w.school, academic_year=w.year, year_group=y10, name="Y10 Autumn")
    dee = f.PupilFactory(school=w.school, year_group=y10, legal_first_name="Dee", legal_last_name="Tenth")
    for subject in (w.maths, w.english, w.history):
        f.GradeEntryFactory(pupil=dee, subject=subject, point=point, effort=1)
    return point, dee


def _csv(response):
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_head_of_year_downloads_their_own_year_only(reviewed, login):
    w = reviewed
    point, dee = _year10_listed(w)
    hoy = login(w.hoy.user)
    rows = _csv(hoy.get(f"/dashboard/year-lists/?point={w.point.pk}&export=csv"))
    assert {r[2] for r in rows[1:]} == {w.child.upn, w.classmate.upn, w.other_child.upn}
    for query in ("export=csv", "export=xlsx", "print=pdf"):
        assert hoy.get(f"/dashboard/year-lists/?point={point.pk}&{query}").status_code == 404, query
    # The head of Year 11 opens on their own year, even with Year 10's point newer in the list.
    assert dee.upn not in {r[2] for r in _csv(hoy.get("/dashboard/year-lists/?export=csv"))}
    rows = _csv(login(w.slt.user).get(f"/dashboard/year-lists/?point={point.pk}&export=csv"))
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("Good effort across a range of subjects", "Tenth, Dee", dee.upn)
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_pupil_named_like_a_formula_stays_text_in_the_year_leaders_downloads(reviewed, login, start):
    from openpyxl import load_workbook

    w = reviewed
    hostile = f'{start}HYPERLINK("http://x.invalid")'
    Pupil.objects.filter(pk=w.child.pk).update(legal_last_name=hostile, preferred_last_name="")
    w.form.name = f"{start}1+1"
    w.form.save()
    written = f"'{hostile}, Ada"
    client = login(w.hoy.user)
    rows = _csv(client.get(f"/dashboard/year-lists/?point={w.point.pk}&export=csv"))
    slower = [r for r in rows if r[0].startswith("Slower progress")]
    assert [(r[1], r[3]) for r in slower] == [(written, f"'{start}1+1")]
    book = load_workbook(
        io.BytesIO(client.get(f"/dashboard/year-lists/?point={w.point.pk}&export=xlsx").content)
    )
    cells = [c for row in book.active.iter_rows() for c in row if c.value == written]
    assert cells and all(c.data_type == "s" for c in cells)  # text, never a formula
    # The transition report hands the same names on: recommended for mentoring.
    book = load_workbook(
        io.BytesIO(client.get(f"/dashboard/transition/?point={w.point.pk}&export=xlsx").content)
    )
    recommended = [row[0].value for row in book["Recommended for mentoring"].iter_rows(min_row=2)]
    assert recommended == [written]


def test_attendance_downloads_to_one_place_from_every_year_leaders_page(reviewed, login):
    w = reviewed
    Pupil.objects.filter(pk=w.child.pk).update(attendance=Decimal("84.50"))
    client = login(w.hoy.user)
    lists = _csv(client.get(f"/dashboard/year-lists/?point={w.point.pk}&export=csv"))
    assert {r[10] for r in lists if r[2] == w.child.upn} == {"84.5"}
    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(client.get(f"/dashboard/transition/?point={w.point.pk}&export=xlsx").content)
    )
    assert [row[5].value for row in book["Recommended for mentoring"].iter_rows(min_row=2)] == [84.5]
    grid = _csv(login(w.tutor.user).get(f"/dashboard/forms/{w.form.pk}/?export=csv"))
    assert {r[2] for r in grid if r[1] == w.child.upn} == {"84.5"}


def test_a_teacher_lists_count_only_their_own_groups(reviewed, login):
    w = reviewed
    response = login(w.teacher.user).get("/dashboard/year-lists/")
    # Only maths in the teacher's group counts: one subject is not "a range".
    assert all(not table.rows for table in response.context["lists"])
    counts = year_lists.pupil_counts(
        w.point.grades.filter(subject=w.maths, pupil__in=[w.child, w.classmate]),
        year_lists.standing.Thresholds.of(w.school),
    )
    assert {c.pupil.pk: c.graded for c in counts} == {w.child.pk: 1, w.classmate.pk: 1}


def test_the_rows_escape_names_forms_and_reasons_once():
    from tracking.dashboards.views import pastoral

    pupil = year_lists.ListedPupil(7, "O'Neill, Zoë <b>", "A123", "7&B", Decimal("84.56"))
    row = year_lists.PupilCounts(pupil=pupil, graded=3, below=3, effort_concern=1)
    row.reasons = ["1 open flag (Design & Technology)"]
    from tracking.dashboards.tables.pastoral import RecommendedTable

    cells = RecommendedTable([row], under=" (under 90%)").cell_html()
    assert cells["name"](row) == "O&#x27;Neill, Zoë &lt;b&gt;" and cells["form"](row) == "7&amp;B"
    assert cells["reasons"](row) == "1 open flag (Design &amp; Technology)"
    assert cells["attendance"](row) == "84.6% (under 90%)"
    names = pastoral.names_html([row])
    assert names == "O&#x27;Neill, Zoë &lt;b&gt; (7&amp;B)"
    from tracking.dashboards.tables.pastoral import YearListTable

    cells = YearListTable([row], name="slower_progress", title="Slower").cell_html()
    assert cells["name"](row) == '<a href="/pupils/7/">O&#x27;Neill, Zoë &lt;b&gt;</a>'
    assert cells["form"](row) == "7&amp;B" and cells["below"](row) == "3"
    assert cells["attendance"](row) == '84.6% <strong class="attendance-low">(low: check attendance)</strong>'


@pytest.mark.parametrize("query", ["point=999999", "point=abc", "point={other_point}"])
def test_a_point_out_of_reach_is_not_found(reviewed, other_world, login, query):
    w = reviewed
    url = "/dashboard/year-lists/?" + query.format(other_point=other_world.point.pk)
    assert login(w.hoy.user).get(url).status_code == 404


def test_people_without_a_year_to_lead_or_a_dashboard_have_no_lists(reviewed, login):
    w = reviewed
    for persona in ("tutor", "mentor", "parent"):
        assert login(getattr(w, persona).user).get("/dashboard/year-lists/").status_code == 404


def test_the_transition_report_hands_over_the_year_with_its_recommendations(reviewed, login):
    from interventions.models import Flag

    w = reviewed
    Flag.objects.create(
        school=w.school,
        pupil=w.child,
        point=w.point,
        subject=w.maths,
        scope="subject",
        reason="Below",
        owner=w.hod,
        raised_at=timezone.now(),
    )
    client = login(w.hoy.user)
    response = client.get(f"/dashboard/transition/?point={w.point.pk}")
    assert response.status_code == 200
    recommended = response.context["recommended"]
    assert [r.pupil.pk for r in recommended] == [w.child.pk]
    assert recommended[0].reasons == ["1 open flag (Mathematics)"]
    assert "1 open flag (Mathematics)" in response.content.decode()
    pdf = client.get(f"/dashboard/transition/?point={w.point.pk}&print=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # A teacher sees lists for their groups but does not hand over the year.
    assert login(w.teacher.user).get("/dashboard/transition/").status_code == 404


def test_the_transition_reports_tables_sort_and_come_back_to_their_section(reviewed, login):
    w = reviewed
    Pupil.objects.filter(pk=w.classmate.pk).update(attendance=Decimal("70"))
    for subject in (w.maths, w.english, w.science):  # Ben below as well: two recommended
        w.point.grades.filter(pupil=w.classmate, subject=subject).update(
            predicted=f.grade(w.school, "5"), current=f.grade(w.school, "5")
        )
    client = login(w.hoy.user)
    url = f"/dashboard/transition/?point={w.point.pk}"

    def order(page, texts):
        section = page.split('id="by-subject"')[1]
        return sorted(texts, key=section.index)

    subjects = ["Biology", "English Language", "History", "Mathematics"]
    page = client.get(url).content.decode()
    assert order(page, subjects) == subjects
    assert "s-sort=label#by-subject" in page and "r-sort=attendance#recommended" in page
    page = client.get(url + "&s-sort=-label").content.decode()
    assert order(page, subjects) == subjects[::-1]
    response = client.get(url + "&r-sort=-attendance")
    rows = [row.record.pupil.pk for row in response.context["recommended_table"].rows]
    assert rows == [w.child.pk, w.classmate.pk]  # 84.5% before 70%
    response = client.get(url + "&r-sort=attendance")
    assert [row.record.pupil.pk for row in response.context["recommended_table"].rows] == [
        w.classmate.pk,
        w.child.pk,
    ]


def test_the_tutor_sees_the_form_grid_and_who_to_talk_to_and_why(reviewed, login):
    from mentoring.models import MentoringSlip

    w = reviewed
    MentoringSlip.objects.create(
        school=w.school,
        academic_year=w.year,
        pupil=w.classmate,
        subject=w.english,
        kind="concern",
        message="Homework missing",
        sent_by=w.other_teacher,
        mentor=w.mentor,
        sent_at=timezone.now(),
    )
    response = login(w.tutor.user).get(f"/dashboard/forms/{w.form.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    # Four subjects for Ada and Ben, each a standing badge from tracking.standing.
    assert page.count(f'data-pupil="{w.child.pk}" data-subject=') == 4
    assert page.count('data-standing="well-below"') == 4
    talk = {row.pupil.pk: row.reasons for row in response.context["conversations"]}
    assert set(talk) == {w.child.pk, w.classmate.pk}
    assert talk[w.child.pk][0] == (
        "Well below target in 4 subjects: Biology, English Language, History, Mathematics; "
        "the key-stage coordinator leads (4+ subjects)"
    )
    assert "Attendance 84.5% (under 90%)" in talk[w.child.pk]
    assert talk[w.classmate.pk] == ["Concern slip not yet discussed (English Language)"]
    # The page says why pupils are listed, and which numbers are the school's choice.
    assert "is the school&#x27;s choice" in page
    assert "Laude: the form tutor acts on a pupil off target in 2–3 subjects" in page


def _cells(*statuses):
    from types import SimpleNamespace

    subjects = [SimpleNamespace(pk=n, name=f"Subject {n}") for n in range(len(statuses))]
    cells = {n: (SimpleNamespace(status=status), 2) for n, status in enumerate(statuses)}
    return cells, subjects


def test_the_tutor_talks_to_pupils_well_below_in_laudes_bands_not_to_everyone_a_grade_below():
    from tracking.dashboards import tutor

    pupil = Pupil(attendance=Decimal("97.0"))
    # A grade below in every subject but one well below: the ups and downs of the year, no one to list.
    cells, subjects = _cells("well_below", "below", "below", "below", "below", "on")
    assert tutor.tracking_reasons(pupil, cells, subjects) == []
    cells, subjects = _cells("well_below", "well_below", "below", "on")
    assert tutor.tracking_reasons(pupil, cells, subjects) == [
        "Well below target in 2 subjects: Subject 0, Subject 1; the form tutor follows up (2–3)"
    ]
    cells, subjects = _cells(*["well_below"] * 4)
    (reason,) = tutor.tracking_reasons(pupil, cells, subjects)
    assert reason.endswith("the key-stage coordinator leads (4+ subjects)")
    # Low attendance is the check beside a listed pupil, not a reason alone.
    assert tutor.attendance_note(Pupil(attendance=Decimal("84.5"))) == "Attendance 84.5% (under 90%)"
    assert tutor.attendance_note(pupil) is None


def test_a_pupil_on_target_with_only_low_attendance_is_not_listed_for_a_conversation(reviewed, login):
    w = reviewed
    Pupil.objects.filter(pk=w.other_child.pk).update(form=w.form, attendance=Decimal("80.0"))
    response = login(w.tutor.user).get(f"/dashboard/forms/{w.form.pk}/")
    talk = {row.pupil.pk for row in response.context["conversations"]}
    assert w.other_child.pk not in talk and w.child.pk in talk


def test_the_tutors_grid_sorts_by_a_subjects_standing_and_by_attendance(reviewed, login):
    w = reviewed
    client = login(w.tutor.user)
    url = f"/dashboard/forms/{w.form.pk}/"

    def pupils(query):
        grid = client.get(f"{url}?{query}").context["grid"]
        return [row.record.pupil.pk for row in grid.rows]

    # 11A is Ada (well below everywhere) and Ben (above everywhere); by name Ash (Ben) comes first.
    assert pupils("") == [w.classmate.pk, w.child.pk]
    assert pupils(f"g-sort=s{w.maths.pk}") == [w.child.pk, w.classmate.pk]  # furthest behind first
    assert pupils(f"g-sort=-s{w.maths.pk}") == [w.classmate.pk, w.child.pk]
    assert pupils("g-sort=attendance") == [w.child.pk, w.classmate.pk]  # 84.5% before 98.0%
    page = client.get(url).content.decode()
    assert f"g-sort=s{w.maths.pk}#grid-heading" in page and "p-sort=judged#subjects-heading" in page
    assert f'<abbr title="Mathematics">{w.maths.code}</abbr>' in page


def test_only_the_forms_own_people_open_the_tutor_view(reviewed, other_world, login):
    w = reviewed
    url = f"/dashboard/forms/{w.form.pk}/"
    assert login(w.hoy.user).get(url).status_code == 200
    assert login(w.teacher.user).get(url).status_code == 404
    other_tutor = f.StaffFactory(
        school=w.school, user__username="tutor2", user__school=w.school, roles=[Role.FORM_TUTOR]
    )
    f.FormGroupFactory(school=w.school, academic_year=w.year, year_group=w.y11, name="11B").tutors.add(
        other_tutor
    )
    assert login(other_tutor.user).get(url).status_code == 404
    assert login(w.tutor.user).get(f"/dashboard/forms/{other_world.form.pk}/").status_code == 404
    assert login(w.tutor.user).get(f"{url}?point=abc").status_code == 404


@pytest.mark.parametrize("persona", ["hod", "teacher"])
def test_a_subject_outside_the_department_or_groups_is_not_found(reviewed, login, persona):
    w = reviewed
    from tracking.dashboards.queries import terms_with_data  # noqa: F401

    client = login(getattr(w, persona).user)
    assert client.get(f"/dashboard/?year=11&subject={w.english.pk}").status_code == 404
    assert client.get(f"/dashboard/?year=11&subject={w.science.pk}").status_code == 404


def test_a_head_of_department_drills_into_any_group_of_their_department(reviewed, login):
    from datetime import date

    from tracking.models import HalfTerm

    w = reviewed
    term = HalfTerm.objects.create(
        academic_year=w.year,
        number=2,
        name="Autumn 2",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 19),
    )
    w.point.half_term = term
    w.point.save()
    hod = login(w.hod.user)
    url = f"/dashboard/?term={term.pk}&year=11&subject={w.maths.pk}"
    assert hod.get(url).status_code == 200
    assert hod.get(f"{url}&group={w.other_group.pk}").status_code == 200
    teacher = login(w.teacher.user)
    assert teacher.get(f"{url}&group={w.group.pk}").status_code == 200
    assert teacher.get(f"{url}&group={w.other_group.pk}").status_code == 404


# Absolute caps with grades and every concern source answering (tests/test_query_caps.py reads the
# persona world, where no pupil is recommended and the transition report skips the sources).
CAPS = {
    "/dashboard/year-lists/": 12,
    "/dashboard/year-lists/?export=csv": 12,
    "/dashboard/transition/": 21,
    "/dashboard/transition/?print=pdf": 21,
    "/dashboard/transition/?export=xlsx": 21,
    "/dashboard/forms/{form}/": 16,
}


@pytest.mark.parametrize(
    "persona,url",
    [
        ("hoy", "/dashboard/year-lists/"),
        ("hoy", "/dashboard/year-lists/?export=csv"),
        ("hoy", "/dashboard/transition/"),
        ("hoy", "/dashboard/transition/?print=pdf"),
        ("hoy", "/dashboard/transition/?export=xlsx"),
        ("tutor", "/dashboard/forms/{form}/"),
    ],
)
def test_the_pages_make_the_same_queries_however_many_pupils(reviewed, login, persona, url):
    w = reviewed
    client = login(getattr(w, persona).user)
    cap, url = CAPS[url], url.format(form=w.form.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(12):
        pupil = f.PupilFactory(school=w.school, year_group=w.y11, form=w.form, attendance=Decimal("85"))
        for subject in (w.maths, w.english, w.science):
            f.GradeEntryFactory(
                pupil=pupil,
                subject=subject,
                point=w.point,
                predicted=f.grade(w.school, str(1 + n % 9)),
                effort=1 + n % 4,
            )
            f.TargetFactory(pupil=pupil, subject=subject)
    # The grades just written are worked out once, when first counted (a fixed number of
    # queries: tests/tracking/test_held_standings.py); the page then reads the same queries as before.
    standing.refresh_held()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert len(many) <= cap


def test_the_transition_reports_gaps_are_summed_from_its_pupils_as_a_split_query_counts_them(reviewed):
    from tracking import permissions, standing
    from tracking.dashboards import figures, queries
    from tracking.dashboards.views import pastoral

    w = reviewed
    Pupil.objects.filter(pk=w.child.pk).update(disadvantaged=True, looked_after=True, gender="F")
    Pupil.objects.filter(pk=w.classmate.pk).update(sen_status="K", eal=True, prior_band="high")
    entries = permissions.year_entries(w.hoy.user, w.school, w.y11).filter(point=w.point)
    thresholds, previous = standing.Thresholds.of(w.school), standing.previous_points([w.point])
    counted = figures.figure_sets(entries, thresholds, previous, queries.SPLIT_GROUPINGS, points=[w.point])
    sets = year_lists.counted_figures(entries, thresholds, previous=previous, sums=queries.DIFF_SUM)
    _counts, traits = year_lists.pupil_counts_with(
        sets, entries, [p[len("pupil__") :] for p in queries.SPLIT_GROUPINGS]
    )
    summed = queries.splits_from_pupils(sets["pupil"], traits, queries.SPLIT_GROUPINGS)
    for path in queries.SPLIT_GROUPINGS:
        assert summed[path] == counted[path], path
    assert [row.key for row in summed["pupil__sen_status"]] == ["K", "N"]
    page = pastoral.transition_context(w.hoy.user, w.school, w.point)
    assert page["gaps"] == [
        gap for title, _rows, gap in queries.splits(counted) if gap and title in pastoral.GAP_SPLITS
    ]
    assert [gap["label"] for gap in page["gaps"]] == [
        "Disadvantaged compared with others",
        "No SEN compared with SEN support",
        "EAL compared with English first language",
        "Looked after compared with others",
    ]


def test_reasons_are_found_for_the_pupils_asked_about_only(reviewed):
    from interventions.models import Flag
    from tracking.dashboards import concerns

    w = reviewed
    for pupil in (w.child, w.classmate):
        Flag.objects.create(
            school=w.school, pupil=pupil, point=w.point, subject=w.maths, scope="subject", reason="Below",
            owner=w.hod, raised_at=timezone.now(),
        )  # fmt: skip
    assert concerns.reasons_for([w.child.pk, w.other_child.pk], w.school) == {
        w.child.pk: ["1 open flag (Mathematics)"]
    }
    assert concerns.reasons_for([], w.school) == {}
