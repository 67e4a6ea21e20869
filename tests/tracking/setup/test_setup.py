"""Setting a school up without the admin: the first-run checklist, the calendar, scales, subjects and
assessment points, each change audited; and an empty installation set up and filled end to end."""

import io

import pytest

from tests import factories as f
from tracking.models import (
    AcademicYear,
    AssessmentPoint,
    AuditEvent,
    GradeScale,
    HalfTerm,
    Pupil,
    Role,
    Subject,
    TeachingGroup,
    YearGroup,
)

pytestmark = pytest.mark.django_db

CALENDAR = {
    "name": "2026/27",
    "starts_on": "2026-09-01",
    "ends_on": "2027-08-31",
    "years": ["7", "8", "9", "10", "11"],
    "ht1_starts": "2026-09-02",
    "ht1_ends": "2026-10-23",
    "ht2_starts": "2026-11-02",
    "ht2_ends": "2026-12-18",
}


@pytest.fixture
def empty(db):
    """A new school with nothing but its data manager: no year, scales, subjects or pupils."""
    school = f.SchoolFactory(name="Northfield", slug="northfield")
    GradeScale.objects.filter(school=school).delete()
    manager = f.StaffFactory(
        school=school, user__username="nf.data", user__school=school, roles=[Role.DATA_MANAGER]
    )
    return school, manager.user


def upload(text, name):
    handle = io.BytesIO(text.encode())
    handle.name = name
    return handle


def test_an_empty_school_is_set_up_and_filled_in_the_app_end_to_end(empty, client):
    school, manager = empty
    client.force_login(manager)
    page = client.get("/setup/").content.decode()
    assert "0 of 9 steps done" in page
    assert client.post("/setup/calendar/", CALENDAR)["Location"] == "/setup/"
    client.post("/setup/scales/")
    client.post(
        "/setup/subjects/",
        {"name": "Mathematics", "code": "ma", "department_name": "Maths", "qualification": "gcse",
         "category": "maths", "scale": GradeScale.objects.get(school=school, code="gcse").pk},
    )  # fmt: skip
    for kind, text in (
        ("staff", "Staff code,Forename,Surname,Email\nJSM,Jo,Smith,jo@nf.example\n"),
        ("pupils", "UPN,Surname,Forename,DOB,Sex,Year,Form\nB801200005001,Lamb,Ada,2011-05-01,F,11,11N\n"),
        ("groups", "Class,Subject,UPN,Teacher\n11Ma1,MA,B801200005001,JSM\n"),
    ):
        client.post(f"/imports/new/{kind}/", {"file": upload(text, f"{kind}.csv")})
        job = school.import_jobs.latest("pk")
        assert job.status == "previewed", job.problems
        client.post(f"/imports/{job.pk}/commit/")
    y11 = YearGroup.objects.get(school=school, number=11)
    point = {
        "year_group": y11.pk,
        "name": "Y11 Autumn 2",
        "sequence": 2,
        "half_term": HalfTerm.objects.get(number=2).pk,
        "opens_on": "2026-12-01",
        "closes_on": "2026-12-12",
        "collects_current": "on",
        "collects_predicted": "on",
    }
    response = client.post("/setup/points/", point)
    assert response["Location"] == "/setup/points/"
    jo = school.staff.get(code="JSM")
    maths = school.departments.get(name="Maths")
    for role in ({"role": "slt"}, {"role": "hod", "department": maths.pk}):
        assert client.post(f"/setup/staff/{jo.pk}/", role).status_code == 302
    page = client.get("/setup/").content.decode()
    assert "8 of 9 steps done" in page  # targets are generated once grades and flight paths are in
    group = TeachingGroup.objects.get(academic_year__school=school, name="11Ma1")
    assert [p.upn for p in group.pupils.all()] == ["B801200005001"]
    assert [t.code for t in group.teachers.all()] == ["JSM"]
    assert Pupil.objects.get(school=school).form.name == "11N"
    actions = set(AuditEvent.objects.filter(school=school).values_list("action", flat=True))
    assert {"tracking.calendar.changed", "tracking.scales.installed", "tracking.subject.created",
            "tracking.point.created", "tracking.staffrole.added"} <= actions  # fmt: skip


def test_the_calendar_sets_the_current_year_half_terms_and_year_groups(world, login):
    client = login(world.data_manager.user)
    client.post("/setup/calendar/", {**CALENDAR, "name": "2026/27"})
    year = AcademicYear.objects.get(school=world.school, is_current=True)
    assert year.pk == world.year.pk  # the current year is edited, not replaced
    assert list(year.half_terms.values_list("number", "name")) == [(1, "Autumn 1"), (2, "Autumn 2")]
    assert set(YearGroup.objects.filter(school=world.school).values_list("number", flat=True)) == {
        7,
        8,
        9,
        10,
        11,
    }


def test_a_half_term_outside_the_year_saves_nothing_and_says_why(world, login):
    client = login(world.data_manager.user)
    response = client.post(
        "/setup/calendar/", {**CALENDAR, "ht2_starts": "2027-11-02", "ht2_ends": "2027-12-18"}
    )
    assert response.status_code == 200
    assert "Autumn 2 must fall within the academic year." in response.content.decode()
    assert not HalfTerm.objects.filter(academic_year=world.year).exists()


def test_subjects_are_added_and_edited_with_their_codes_unique(world, login):
    client = login(world.data_manager.user)
    body = {"name": "Geography", "code": "gg", "department_name": "Humanities", "qualification": "gcse",
            "category": "geography", "scale": world.maths.scale_id}  # fmt: skip
    client.post("/setup/subjects/", body)
    geography = Subject.objects.get(school=world.school, code="GG")
    assert geography.department.name == "Humanities"
    response = client.post("/setup/subjects/", {**body, "name": "Geology"})
    assert "Geography already has the code GG." in response.content.decode()
    client.post(f"/setup/subjects/{geography.pk}/", {**body, "name": "Geography (AQA)"})
    geography.refresh_from_db()
    assert geography.name == "Geography (AQA)"
    event = AuditEvent.objects.get(action="tracking.subject.changed")
    assert (event.before["name"], event.after["name"]) == ("Geography", "Geography (AQA)")


def test_a_point_whose_window_closes_before_it_opens_or_repeats_a_number_is_refused(world, login):
    client = login(world.data_manager.user)
    body = {"year_group": world.y11.pk, "name": "Y11 Mocks", "sequence": 7, "opens_on": "2027-01-20",
            "closes_on": "2027-01-10", "collects_current": "on"}  # fmt: skip
    page = client.post("/setup/points/", body).content.decode()
    assert "The window must close on or after the day it opens." in page
    page = client.post(
        "/setup/points/", {**body, "closes_on": "2027-01-30", "sequence": world.point.sequence}
    )
    assert (
        f"{world.point.name} is already number {world.point.sequence} for Year 11." in page.content.decode()
    )
    client.post("/setup/points/", {**body, "closes_on": "2027-01-30"})
    point = AssessmentPoint.objects.get(name="Y11 Mocks")
    assert (point.academic_year, point.school, point.collects_predicted) == (world.year, world.school, False)


def test_another_schools_subjects_and_points_are_not_found(world, other_world, login):
    client = login(world.data_manager.user)
    assert client.get(f"/setup/subjects/{other_world.maths.pk}/").status_code == 404
    assert client.post(f"/setup/points/{other_world.point.pk}/", {"name": "x"}).status_code == 404


def test_points_need_a_school_year_first(empty, client):
    school, manager = empty
    client.force_login(manager)
    assert client.get("/setup/points/")["Location"] == "/setup/calendar/"


def test_the_school_adds_its_own_scale_and_subjects_grade_on_it(world, login):
    client = login(world.data_manager.user)
    body = {
        "action": "create",
        "name": "Music grades",
        "code": "Music",
        "grades": "D, Distinction, Dist\nM\n\nP",
    }
    response = client.post("/setup/scales/", body)
    assert response["Location"] == "/setup/scales/"
    scale = GradeScale.objects.get(school=world.school, code="music")
    assert [(v.code, v.step, v.aliases) for v in scale.values.all()] == [
        ("D", 3, "Distinction,Dist"),
        ("M", 2, ""),
        ("P", 1, ""),
    ]
    assert AuditEvent.objects.filter(action="tracking.scale.created").exists()
    page = client.post("/setup/scales/", {**body, "grades": "Pass\npass"}).content.decode()
    assert "The school already has a scale with the code music." in page
    assert "Line 2: pass is listed twice." in page
    page = client.post(
        "/setup/scales/", {**body, "code": "m2", "grades": "Distinction\nMerit"}
    ).content.decode()
    assert "Line 1: &#x27;Distinction&#x27; is longer than 10 characters" in page
