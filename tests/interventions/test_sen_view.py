"""The SENCo's view: SEN pupils against the rest by need and subject, with plans and sessions, in scope."""

from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interventions.plans.models import Plan
from interventions.sessions.models import Allocation, Session
from tests import factories as f
from tests.tracking.dashboards.test_pastoral import reviewed  # noqa: F401  (the fixture)
from tracking import standing
from tracking.models import HalfTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def sen(reviewed):  # noqa: F811
    """Ada has SEN support (well below in four subjects), Cy an EHC plan (on target), Ben no SEN (above)."""
    w = reviewed
    w.term = HalfTerm.objects.create(
        academic_year=w.year,
        number=2,
        name="Autumn 2",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 19),
    )
    w.point.half_term = w.term
    w.point.save()
    w.child.sen_status = "K"
    w.child.save()
    w.other_child.sen_status = "E"
    w.other_child.save()
    w.plan = Plan.objects.create(
        school=w.school,
        pupil=w.child,
        tier="department",
        level=2,
        department=w.maths.department,
        reason="Below in maths",
        owner=w.hod,
        start_date=date(2026, 11, 2),
        created_at=timezone.now(),
    )
    for day, mark in ((3, "present"), (10, "absent"), (17, "")):
        session = Session.objects.create(
            school=w.school,
            subject=w.maths,
            kind="after_school",
            title="Maths catch-up",
            date=date(2026, 11, day),
            starts_at=time(15, 30),
            ends_at=time(16, 30),
            room="M1",
        )
        Allocation.objects.create(
            school=w.school, session=session, pupil=w.child, status="confirmed", attendance=mark
        )
    return w


def test_the_senco_sees_each_need_against_pupils_with_no_sen(sen, login):
    w = sen
    response = login(w.senco.user).get("/interventions/sen/")
    assert response.status_code == 200
    needs = {row.key: row for row in response.context["needs"]}
    assert needs["N"].on_or_above_pct == 100 and needs["N"].gap is None
    assert needs["K"].well_below_pct == 100 and needs["K"].gap["on_or_above"] == -100
    assert needs["E"].on_or_above_pct == 100 and needs["E"].gap["on_or_above"] == 0
    maths = next(row for row in response.context["subjects"] if row.subject == w.maths)
    assert [cell.on_or_above_pct for _label, cell in maths.cells] == [100, 0, 100]
    assert maths.gap == -50  # SEN support and EHC plan together: 1 of 2 on target, against 1 of 1


def test_each_sen_pupil_shows_their_plans_and_session_attendance(sen, login):
    w = sen
    response = login(w.senco.user).get("/interventions/sen/")
    pupils = {row.pupil.pk: row for row in response.context["pupils"]}
    assert set(pupils) == {w.child.pk, w.other_child.pk}  # Ben has no SEN
    ada = pupils[w.child.pk]
    assert ada.plans == [w.plan]
    assert (ada.attended, ada.marked, ada.places, ada.attendance_pct) == (1, 2, 3, 50)
    assert (ada.figures.well_below, ada.figures.with_standing) == (4, 4)
    page = response.content.decode()
    assert f'href="/interventions/plans/{w.plan.pk}/"' in page and "1 of 2 (50%)" in page
    only_ehcp = login(w.senco.user).get("/interventions/sen/?need=E").context["pupils"]
    assert [row.pupil for row in only_ehcp] == [w.other_child]


def test_the_sen_pupils_table_pages_and_reads_plans_for_the_page_shown(sen, login, monkeypatch):
    from interventions.sen import views

    w = sen
    monkeypatch.setattr(views, "SEN_PUPILS_PER_PAGE", 1)
    client = login(w.senco.user)
    first = client.get("/interventions/sen/")
    second = client.get("/interventions/sen/?page=2")
    rows = list(first.context["pupils"]) + list(second.context["pupils"])
    assert [row.pupil for row in rows] == sorted([w.child, w.other_child], key=lambda p: p.sorted_name)
    ada = next(row for row in rows if row.pupil == w.child)
    assert ada.plans == [w.plan] and (ada.attended, ada.marked) == (1, 2)
    page = first.content.decode()
    assert 'SEN pupils, their plans and sessions <span class="muted">(2)</span>' in page
    assert "Showing 1–1 of 2" in page and "?page=2" in page


def test_a_teacher_sees_only_their_groups_and_a_head_of_department_only_their_department(sen, login):
    w = sen
    response = login(w.teacher.user).get("/interventions/sen/")
    assert [row.pupil for row in response.context["pupils"]] == [w.child]  # Cy is in another maths group
    assert [row.subject for row in response.context["subjects"]] == [w.maths]
    assert response.context["pupils"][0].plans == []  # the HoD's plan is not the teacher's to see
    hod = login(w.hod.user)
    assert [row.subject for row in hod.get("/interventions/sen/").context["subjects"]] == [w.maths]
    assert hod.get(f"/interventions/sen/?term={w.term.pk}&year=11&subject={w.english.pk}").status_code == 404
    for persona in ("tutor", "mentor", "hoy", "parent"):
        assert login(getattr(w, persona).user).get("/interventions/sen/").status_code == 404


def test_bad_parameters_are_ignored_or_not_found(sen, login):
    client = login(sen.senco.user)
    assert client.get("/interventions/sen/?need=Z").status_code == 200
    assert client.get("/interventions/sen/?term=abc").status_code == 200
    assert client.get("/interventions/sen/?year=4").status_code == 404


def test_the_page_makes_the_same_queries_however_many_sen_pupils(sen, login):
    w = sen
    client = login(w.senco.user)
    client.get("/interventions/sen/")
    with CaptureQueriesContext(connection) as few:
        client.get("/interventions/sen/")
    for n in range(10):
        pupil = f.PupilFactory(school=w.school, year_group=w.y11, form=w.form, sen_status="KE"[n % 2])
        for subject in (w.maths, w.english):
            f.GradeEntryFactory(pupil=pupil, subject=subject, point=w.point, predicted=f.grade(w.school, "5"))
            f.TargetFactory(pupil=pupil, subject=subject)
        Plan.objects.create(
            school=w.school,
            pupil=pupil,
            tier="form_tutor",
            level=1,
            reason="x",
            start_date=date(2026, 11, 2),
            created_at=timezone.now(),
        )
    # The grades just written are worked out once, when first counted (a fixed number of
    # queries: tests/tracking/test_held_standings.py); the page then reads the same queries as before.
    standing.refresh_held()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/interventions/sen/")
    assert len(response.context["pupils"]) == 12
    assert len(many) == len(few) <= 16


def test_the_senco_sees_sen_pupils_progress_by_primary_need_and_lists_one_need(sen, login):
    w = sen
    w.child.sen_need = "SEMH"  # SEN support, well below in four subjects
    w.child.save()
    # Cy has an EHC plan and no primary need recorded yet.
    response = login(w.senco.user).get("/interventions/sen/")
    rows = {row.code: row for row in response.context["primary_needs"]}
    assert set(rows) == {"SEMH", "-"}
    assert rows["SEMH"].label == "Social, emotional and mental health"
    assert rows["SEMH"].well_below_pct == 100 and rows["SEMH"].gap["on_or_above"] == -100
    assert rows["-"].on_or_above_pct == 100 and rows["-"].gap["on_or_above"] == 0
    page = " ".join(response.content.decode().split())
    assert (
        "By primary need" in page and '<abbr title="Social, emotional and mental health">SEMH</abbr>' in page
    )
    listed = login(w.senco.user).get("/interventions/sen/?need=SEMH").context["pupils"]
    assert [row.pupil for row in listed] == [w.child]
    unrecorded = login(w.senco.user).get("/interventions/sen/?need=-").context["pupils"]
    assert [row.pupil for row in unrecorded] == [w.other_child]


def _download(client, query):
    import csv
    import io

    response = client.get(f"/interventions/sen/?{query}")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_download_holds_the_sen_pupils_of_the_pages_scope_and_filter(sen, login):
    w = sen
    senco = _download(login(w.senco.user), "export=csv")
    assert {row[1] for row in senco[1:]} == {w.child.upn, w.other_child.upn}  # Ben has no SEN
    only_ehcp = _download(login(w.senco.user), "need=E&export=csv")
    assert [row[1] for row in only_ehcp[1:]] == [w.other_child.upn]
    teacher = _download(login(w.teacher.user), "export=csv")
    assert [row[1] for row in teacher[1:]] == [w.child.upn]  # Cy is in another maths group
    assert "Level 2" not in teacher[1][9]  # the HoD's plan is not the teacher's to see
    hod = login(w.hod.user)
    assert (
        hod.get(f"/interventions/sen/?term={w.term.pk}&year=11&subject={w.english.pk}&export=csv").status_code
        == 404
    )


def test_the_download_holds_every_page_of_sen_pupils_not_only_the_one_on_screen(sen, login, monkeypatch):
    from interventions.sen import views

    monkeypatch.setattr(views, "SEN_PUPILS_PER_PAGE", 1)
    client = login(sen.senco.user)
    assert len(client.get("/interventions/sen/").context["pupils"]) == 1
    rows = _download(client, "export=csv")
    assert {row[1] for row in rows[1:]} == {sen.child.upn, sen.other_child.upn}


def test_the_pupils_figures_are_the_same_counted_for_every_sen_pupil_or_for_those_listed(sen):
    from interventions.sen import queries
    from tracking import standing
    from tracking.models import GradeEntry

    w = sen
    entries = GradeEntry.objects.filter(school=w.school)
    thresholds = standing.Thresholds.of(w.school)
    every = queries.figures(entries, thresholds, {})
    assert set(every["pupil"]) == {w.child.pk, w.other_child.pk}  # Ben has no SEN
    listed = queries.figures(entries, thresholds, {}, pupils=[w.child.pk])
    assert set(listed["pupil"]) == {w.child.pk}
    assert vars(listed["pupil"][w.child.pk]) == vars(every["pupil"][w.child.pk])
    assert [vars(row) for row in listed["need"]] == [vars(row) for row in every["need"]]
    assert queries.figures(entries, thresholds, {}, pupils=[])["pupil"] == {}


def _listed(client, query):
    return [row.pupil for row in client.get(f"/interventions/sen/?{query}").context["pupils"]]


@pytest.mark.parametrize("persona", ["senco", "hod"])  # the whole school counted a page at a time, and not
def test_the_sen_pupils_sort_by_name_year_need_and_their_counts(sen, login, persona):
    w = sen
    client = login(getattr(w, persona).user)
    ada, cy = w.child, w.other_child  # Ada: SEN support, four grades well below; Cy: EHC plan, on target
    assert _listed(client, "") == [cy, ada]  # by year, then name
    assert _listed(client, "sort=-name") == [ada, cy]
    assert _listed(client, "sort=need") == [cy, ada]  # EHC plan (E) before SEN support (K)
    assert _listed(client, "sort=-below") == [ada, cy]
    assert _listed(client, "sort=on_target") == [ada, cy]
    assert _listed(client, "sort=-on_target&page=1") == [cy, ada]
    assert _listed(client, "sort=plans") == [cy, ada]  # not a sortable column: as it was


def test_the_figure_tables_sort_and_the_workbook_has_a_sheet_each(sen, login):
    from io import BytesIO

    from openpyxl import load_workbook

    client = login(sen.senco.user)
    page = client.get("/interventions/sen/?n-sort=-label")
    labels = [row.record.label for row in page.context["need_table"].rows]
    assert labels == sorted(labels, reverse=True) and len(labels) == 3
    assert 'aria-sort="descending"' in page.content.decode()
    book = load_workbook(BytesIO(client.get("/interventions/sen/?export=xlsx").content))
    assert book.sheetnames == ["SEN pupils", "By SEN status", "By primary need", "By subject"]
    headers = [cell.value for cell in book["By SEN status"][1]]
    assert headers[0] == "SEN status" and "Gap to no SEN: points on target" in headers
