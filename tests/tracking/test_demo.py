import pytest
from django.core.management import call_command
from django.urls import reverse

from mentoring.models import MentorAssignment
from tests.built_once import built_once
from tracking.models import AssessmentPoint, GradeEntry, Guardian, Pupil, School, User

DEMO_LOGINS = [
    "slt",
    "datamanager",
    "hod.maths",
    "teacher.maths",
    "teacher.english",
    "tutor.11a",
    "mentor",
    "senco",
    "parent",
    "parent2",
]


HILLSIDE_LOGINS = ["hillside.slt", "hillside.datamanager", "hillside.teacher.maths", "hillside.parent"]


@pytest.fixture(scope="module")
def _built(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        call_command("seed_demo", "--pupils", "150", "--seed", "3")  # Hillside: 60 pupils
        yield School.objects.get(slug="riverside")


@pytest.fixture
def demo(_built, db):
    return _built


def test_demo_has_every_login_with_the_documented_password(demo):
    for username in DEMO_LOGINS:
        assert User.objects.get(username=username).check_password("uplift-demo"), username


def test_demo_parent_has_two_children_in_different_years_one_in_year_11(demo):
    children = list(Guardian.objects.get(user__username="parent").pupils.select_related("year_group"))
    years = sorted(c.year_group.number for c in children)
    assert len(children) == 2 and 11 in years and len(set(years)) == 2
    assert Guardian.objects.get(user__username="parent2").pupils.count() >= 1


def test_demo_has_an_open_window_today_and_history_before(demo):
    from django.utils import timezone

    today = timezone.localdate()  # the school's date, as seed_demo builds for
    open_now = AssessmentPoint.objects.filter(opens_on__lte=today, closes_on__gte=today, is_locked=False)
    assert open_now.filter(year_group__number=11).exists()
    assert GradeEntry.objects.filter(point__academic_year__is_current=False).count() > 1000
    assert MentorAssignment.objects.filter(mentor__user__username="mentor").count() >= 10


def test_demo_trust_has_hillside_with_its_own_logins_and_a_trust_login(demo):
    hillside = School.objects.get(slug="hillside", is_demo=True)
    assert Pupil.objects.filter(school=hillside).count() == 60
    assert Pupil.objects.filter(school=demo).count() == 150
    for username in HILLSIDE_LOGINS:
        user = User.objects.get(username=username)
        assert user.school == hillside and user.check_password("uplift-demo"), username
    assert User.objects.get(username="hillside.datamanager").is_staff
    trust = User.objects.get(username="trust")
    assert trust.is_trust_admin and trust.school is None and not trust.is_superuser
    assert trust.check_password("uplift-demo")


def _records(school):
    """One pupil, group, plan and report run of a demo school, as (url name, pk) pairs."""
    from interventions.plans.models import Plan
    from reports.models import PupilReport, ReportRun
    from tracking.models import TeachingGroup

    return [
        ("pupil_detail", Pupil.objects.filter(school=school).first().pk),
        ("group_detail", TeachingGroup.objects.filter(school=school).first().pk),
        ("interventions:plan_detail", Plan.objects.filter(pupil__school=school).first().pk),
        ("reports:run_detail", ReportRun.objects.filter(school=school).first().pk),
        ("reports:report_download", PupilReport.objects.filter(pupil__school=school).first().pk),
    ]


def test_neither_demo_schools_staff_reach_the_others_records_in_the_app_or_the_admin(demo, client):
    from django.urls import reverse

    from tests.personas import sign_in_two_step

    hillside = School.objects.get(slug="hillside")
    for own, other, slt, dm in (
        (demo, hillside, "slt", "datamanager"),
        (hillside, demo, "hillside.slt", "hillside.datamanager"),
    ):
        for username in (slt, dm):
            client.force_login(User.objects.get(username=username))
            for name, pk in _records(other):
                assert client.get(reverse(name, args=[pk])).status_code == 404, (username, name)
            for name, pk in _records(own)[:4]:  # the same pages of their own school open
                assert client.get(reverse(name, args=[pk])).status_code == 200, (username, name)
        admin = sign_in_two_step(client, User.objects.get(username=dm))
        theirs = Pupil.objects.filter(school=other).first()
        mine = Pupil.objects.filter(school=own).first()
        change = reverse("admin:tracking_pupil_change", args=[theirs.pk])
        # The admin answers a row out of scope as Django does a missing one: back to the index.
        assert admin.get(change)["Location"] == reverse("admin:index"), dm
        assert admin.get(reverse("admin:tracking_pupil_change", args=[mine.pk])).status_code == 200
        listed = admin.get(reverse("admin:tracking_pupil_changelist")).content.decode()
        assert change not in listed and reverse("admin:tracking_pupil_change", args=[mine.pk]) in listed
        client.logout()


def test_the_demo_trust_login_switches_between_the_two_schools(demo, client):
    from django.urls import reverse

    hillside = School.objects.get(slug="hillside")
    client.force_login(User.objects.get(username="trust"))
    for school, other in ((demo, hillside), (hillside, demo)):
        client.post(reverse("school_switch"), {"school": school.pk})
        page = client.get(reverse("home")).content.decode()
        assert f'<option value="{school.pk}" selected>{school.name}</option>' in page
        assert client.get(reverse("pupil_detail", args=[_records(school)[0][1]])).status_code == 200
        assert client.get(reverse("pupil_detail", args=[_records(other)[0][1]])).status_code == 404


def test_the_demo_data_manager_has_a_reopen_request_waiting_on_their_home(demo, client):
    from tracking.models import ReopenRequest, ReopenRequestStatus

    waiting = ReopenRequest.objects.get(school=demo, status=ReopenRequestStatus.PENDING)
    assert waiting.requested_by.username == "teacher.maths" and waiting.point.is_locked
    client.force_login(User.objects.get(username="datamanager"))
    home = client.get("/").content.decode()
    assert "Requests to reopen verified marksheets" in home
    listed = client.get(reverse("reopen_requests")).content.decode()
    assert waiting.teaching_group.name in listed and "moderated coursework" in listed


@pytest.mark.parametrize(
    "username", [*DEMO_LOGINS, "senco.assistant", "trust", *HILLSIDE_LOGINS, "hillside.senco"]
)
def test_every_link_in_a_demo_logins_nav_opens_for_them(demo, client, username):
    """The nav asks the permissions rule each page asks: no link leads to a 404. The admin asks for
    the second sign-in step, so the login has done it."""
    from django.test import RequestFactory

    from tests.personas import sign_in_two_step
    from tracking.school.navigation import nav_for

    user = User.objects.get(username=username)
    sign_in_two_step(client, user)
    request = RequestFactory().get("/")
    request.user = user
    links = {entry["label"]: entry["url"] for entry in nav_for(request)}
    assert "Home" in links
    answers = {label: client.get(url).status_code for label, url in links.items()}
    assert answers == dict.fromkeys(links, 200)
