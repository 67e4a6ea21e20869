"""Sessions end to end: requests, allocation with review then confirm, registers, follow-up, paper."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interventions.plans import warnings
from interventions.sessions import queries, services
from interventions.sessions.models import (
    Allocation,
    AllocationStatus,
    RequestStatus,
    Session,
    SessionRequest,
    SessionSettings,
    TimetableIssue,
)
from tests import factories as f
from tests.pdftext import pdf_text
from tracking.lib.errors import DomainError
from tracking.models import AuditEvent

from ..helpers import grade


def monday():
    return queries.monday_of(timezone.localdate())


def at(monkeypatch, day, hour, minute=0):
    """Stand the clock at a local time `day` days after this week's Monday (timezone.now is what
    services, views and timezone.localdate read)."""
    when = timezone.make_aware(datetime.combine(monday() + timedelta(days=day), time(hour, minute)))
    monkeypatch.setattr(timezone, "now", lambda: when)
    return when


@pytest.fixture
def after_the_weeks_sessions(monkeypatch):
    """Sunday noon: every session of the week has started, so every register is open."""
    return at(monkeypatch, 6, 12)


def make_session(
    w, subject=None, day=0, start=time(15, 30), end=time(16, 30), capacity=10, leader=None, **kw
):
    return services.session_create(
        school=w.school, by=w.senco.user, subject=subject, kind=kw.pop("kind", "after_school"),
        title=kw.pop("title", ""), date=monday() + timedelta(days=day), starts_at=start, ends_at=end,
        room="M1", capacity=capacity, leader=leader, **kw,
    )  # fmt: skip


def test_a_teacher_requests_sessions_for_named_pupils_from_their_group(client, world):
    w = world
    client.force_login(w.teacher.user)
    response = client.post(
        reverse("interventions:session_request_new") + f"?group={w.group.pk}",
        {"subject": w.maths.pk, "kind": "after_school", "week_start": monday().isoformat(),
         "reason": "Algebra gaps", "pupils": [w.child.pk, w.classmate.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    assert set(SessionRequest.objects.values_list("pupil_id", flat=True)) == {w.child.pk, w.classmate.pk}
    assert AuditEvent.objects.filter(action="interventions.session_request.created").count() == 2


def test_a_teacher_cannot_request_for_a_pupil_outside_their_group(client, world):
    w = world
    client.force_login(w.teacher.user)
    response = client.post(
        reverse("interventions:session_request_new") + f"?group={w.group.pk}",
        {"subject": w.maths.pk, "kind": "after_school", "week_start": monday().isoformat(), "reason": "x",
         "pupils": [w.other_child.pk]},
    )  # fmt: skip
    assert response.status_code == 200 and not SessionRequest.objects.exists()


def test_a_week_that_does_not_start_on_monday_is_refused(world):
    with pytest.raises(DomainError):
        services.request_create(pupils=[world.child], subject=world.maths, kind="after_school", reason="x",
                                week_start=monday() + timedelta(days=1), by=world.teacher.user)  # fmt: skip


@pytest.fixture
def requested(world):
    w = world
    grade(w, w.child, w.maths, "3", "6")  # 3 below: first
    grade(w, w.classmate, w.maths, "5", "6")
    history = f.SubjectFactory(school=w.school, department=w.maths.department, name="History", code="HI")
    ask = {"kind": "after_school", "week_start": monday(), "by": w.teacher.user}
    services.request_create(pupils=[w.classmate, w.child], subject=w.maths, reason="Maths", **ask)
    services.request_create(pupils=[w.other_child], subject=history, reason="History", **ask)
    w.maths_session = make_session(w, subject=w.maths, capacity=1, leader=w.teacher)
    w.any_session = make_session(w, subject=None, day=1, capacity=5, title="Homework club")
    return w


def test_the_senco_proposes_then_confirms_and_nothing_is_confirmed_before_review(client, requested):
    w = requested
    client.force_login(w.senco.user)
    url = reverse("interventions:allocation") + f"?week={monday().isoformat()}"
    client.post(url, {"step": "propose", "week": monday().isoformat()})
    proposed = Allocation.objects.filter(status=AllocationStatus.PROPOSED)
    # The maths slot holds one: the pupil furthest below target (child) gets it; classmate to the club.
    assert set(proposed.values_list("pupil_id", "session_id")) == {
        (w.child.pk, w.maths_session.pk),
        (w.classmate.pk, w.any_session.pk),
        (w.other_child.pk, w.any_session.pk),
    }
    assert not Allocation.objects.filter(status=AllocationStatus.CONFIRMED).exists()
    page = client.get(url).content.decode()
    assert "Confirm 3 places" in page
    client.post(url, {"step": "confirm", "week": monday().isoformat()})
    assert Allocation.objects.filter(status=AllocationStatus.CONFIRMED).count() == 3
    assert set(SessionRequest.objects.values_list("status", flat=True)) == {RequestStatus.PLACED}


def test_running_again_never_double_books_a_confirmed_pupil(requested):
    w = requested
    services.allocation_propose(school=w.school, week_start=monday(), by=w.senco.user)
    services.allocation_confirm(school=w.school, week_start=monday(), by=w.senco.user)
    services.request_create(pupils=[w.child], subject=w.english, kind="after_school", reason="English",
                            week_start=monday(), by=w.other_teacher.user)  # fmt: skip
    clash = make_session(w, subject=w.english, start=time(15, 45), end=time(16, 15))  # Monday, as maths
    services.allocation_propose(school=w.school, week_start=monday(), by=w.senco.user)
    child = Allocation.objects.filter(pupil=w.child).select_related("session")
    spans = [(a.session.date, a.session.starts_at, a.session.ends_at) for a in child]
    for i, (day, start, end) in enumerate(spans):
        for other_day, other_start, other_end in spans[i + 1 :]:
            assert not (day == other_day and start < other_end and other_start < end)
    # The English request goes to Tuesday's homework club instead of the clashing Monday session.
    assert not Allocation.objects.filter(pupil=w.child, session=clash).exists()
    assert Allocation.objects.filter(pupil=w.child, session=w.any_session).exists()


def test_confirm_without_a_proposal_is_a_clear_error(world):
    with pytest.raises(DomainError) as error:
        services.allocation_confirm(school=world.school, week_start=monday(), by=world.senco.user)
    assert error.value.code == "nothing_proposed"


def _confirmed(w):
    services.allocation_propose(school=w.school, week_start=monday(), by=w.senco.user)
    services.allocation_confirm(school=w.school, week_start=monday(), by=w.senco.user)
    return Allocation.objects.get(pupil=w.child, session=w.maths_session)


def test_the_leader_takes_the_register_and_an_absence_reaches_the_mentors_follow_up_list(
    client, requested, after_the_weeks_sessions
):
    w = requested
    place = _confirmed(w)
    client.force_login(w.teacher.user)
    response = client.post(
        reverse("interventions:register", args=[w.maths_session.pk]), {f"mark-{place.pk}": "absent"}
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.attendance == "absent" and place.points == 0
    client.force_login(w.mentor.user)
    page = client.get(reverse("interventions:follow_ups"))
    assert [a.pk for a in page.context["rows"]] == [place.pk]
    client.post(
        reverse("interventions:follow_ups"), {"allocation": place.pk, "note": "Spoke to Ada: dentist"}
    )
    place.refresh_from_db()
    assert place.followed_up_by == w.mentor.user
    assert not client.get(reverse("interventions:follow_ups")).context["rows"]


def test_another_mentor_does_not_see_a_pupil_they_do_not_mentor(client, requested, after_the_weeks_sessions):
    w = requested
    _confirmed(w)
    place = Allocation.objects.get(pupil=w.classmate)
    services.register_mark(session=place.session, marks={place.pk: "absent"}, by=w.slt.user)
    client.force_login(w.mentor.user)
    assert not client.get(reverse("interventions:follow_ups")).context["rows"]
    client.force_login(w.slt.user)
    assert [a.pupil for a in client.get(reverse("interventions:follow_ups")).context["rows"]] == [w.classmate]


def test_attending_earns_points_towards_the_schools_goal(requested, after_the_weeks_sessions):
    w = requested
    SessionSettings.objects.create(school=w.school, reward_goal="Prom night", points_per_session=2)
    place = _confirmed(w)
    services.register_mark(session=w.maths_session, marks={place.pk: "present"}, by=w.teacher.user)
    reward = queries.reward_for(w.child)
    assert (reward["goal"], reward["points"], reward["attended"]) == ("Prom night", 2, 1)


def test_a_bad_register_mark_saves_nothing(requested, after_the_weeks_sessions):
    w = requested
    place = _confirmed(w)
    with pytest.raises(DomainError):
        services.register_mark(session=w.maths_session, marks={place.pk: "asleep"}, by=w.teacher.user)
    place.refresh_from_db()
    assert place.attendance == ""


def test_the_register_is_usable_on_a_phone(client, requested, after_the_weeks_sessions):
    w = requested
    _confirmed(w)
    client.force_login(w.teacher.user)
    page = client.get(reverse("interventions:register", args=[w.maths_session.pk])).content.decode()
    assert 'class="register-marks"' in page and 'type="radio"' in page and "<legend>" in page


def test_a_register_cannot_be_taken_before_the_session_starts(requested, monkeypatch):
    w = requested
    place = _confirmed(w)
    at(monkeypatch, 0, 15, 29)  # the maths session starts at 15:30
    with pytest.raises(DomainError) as error:
        services.register_mark(session=w.maths_session, marks={place.pk: "absent"}, by=w.teacher.user)
    assert error.value.code == "register_not_open" and "15:30" in error.value.message
    place.refresh_from_db()
    assert (place.attendance, place.marked_at) == ("", None)
    assert not AuditEvent.objects.filter(action="interventions.register.marked").exists()
    assert not queries.follow_ups([w.child.pk]).exists()  # nothing reaches the follow-up list


def test_the_register_opens_as_the_session_starts(requested, monkeypatch):
    w = requested
    place = _confirmed(w)
    at(monkeypatch, 0, 15, 30)
    assert services.register_mark(session=w.maths_session, marks={place.pk: "late"}, by=w.teacher.user) == 1


def test_the_register_page_says_when_it_opens_and_refuses_an_early_mark(client, requested, monkeypatch):
    w = requested
    place = _confirmed(w)
    at(monkeypatch, 0, 9)
    client.force_login(w.teacher.user)
    url = reverse("interventions:register", args=[w.maths_session.pk])
    page = client.get(url).content.decode()
    assert "The register opens when the session starts, at 15:30 on Monday" in page
    assert 'type="radio"' not in page and w.child.sorted_name in page
    response = client.post(url, {f"mark-{place.pk}": "absent"}, follow=True)
    assert response.status_code == 200
    assert any("Nothing was saved" in str(m) for m in response.context["messages"])
    place.refresh_from_db()
    assert place.attendance == ""


def test_more_sessions_than_the_weekly_limit_warns(world):
    w = world
    SessionSettings.objects.create(school=w.school, weekly_limit=1)
    for day in (0, 1):
        s = make_session(w, subject=w.maths, day=day)
        Allocation.objects.create(
            school=w.school, session=s, pupil=w.child, status=AllocationStatus.CONFIRMED
        )
    assert any("more than the school's limit of 1" in m for m in warnings.for_pupil(w.child))


def test_the_monday_scheduler_issues_timetables_once_and_the_tutor_downloads_the_forms_pdf(client, requested):
    from interventions.sessions.schedule import monday_events
    from tracking.cycle import scheduler

    w = requested
    _confirmed(w)
    now = timezone.make_aware(timezone.datetime.combine(monday(), time(8, 0)))
    assert len(scheduler.run_due(now, sources=[monday_events])) >= 1
    assert scheduler.run_due(now, sources=[monday_events]) == []
    issue = TimetableIssue.objects.get(school=w.school, week_start=monday())
    assert issue.places == 3
    client.force_login(w.tutor.user)
    pdf = client.get(reverse("interventions:timetable_pdf", args=[w.form.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"


def test_the_timetable_pdf_is_tagged_for_screen_readers(client, requested):
    from io import BytesIO

    from pypdf import PdfReader

    w = requested
    _confirmed(w)
    client.force_login(w.tutor.user)
    content = client.get(reverse("interventions:timetable_pdf", args=[w.form.pk])).content
    root = PdfReader(BytesIO(content)).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert "pdfuaid:part" in root["/Metadata"].get_object().get_data().decode()
    assert w.child.sorted_name in pdf_text(content)


def test_the_family_sees_the_timetable_on_their_childs_page(client, requested):
    w = requested
    _confirmed(w)
    client.force_login(w.parent.user)
    page = client.get(reverse("pupil_detail", args=[w.child.pk])).content.decode()
    assert "Intervention sessions this week" in page and "M1" in page and "Passport to the Prom" in page
    assert "Intervention plans" not in page


def test_the_sign_up_sheet_prints_the_advertised_sessions(client, world):
    make_session(world, subject=world.maths, advertised=True, title="Maths drop-in")
    client.force_login(world.teacher.user)
    pdf = client.get(reverse("interventions:signup_sheet"))
    assert pdf.content[:4] == b"%PDF"


def test_a_session_that_ends_before_it_starts_is_refused(world):
    with pytest.raises(DomainError):
        make_session(world, start=time(16, 0), end=time(15, 0))
    assert not Session.objects.exists()


def test_the_requests_list_is_paged_fifty_at_a_time_newest_week_first(client, world):
    w = world
    SessionRequest.objects.bulk_create(
        SessionRequest(school=w.school, pupil=w.child, subject=w.maths, kind="after_school",
                       reason=f"Gap {i}:", week_start=monday() - timedelta(weeks=i),
                       requested_by=w.teacher.user, requested_at=timezone.now())
        for i in range(55)
    )  # fmt: skip
    client.force_login(w.teacher.user)
    url = reverse("interventions:session_requests")
    first = client.get(url).content.decode()
    assert "Showing 1–50 of 55" in first
    assert "Gap 0:" in first and "Gap 49:" in first and "Gap 50:" not in first
    last = client.get(url, {"page": 2}).content.decode()
    assert all(f"Gap {i}:" in last for i in range(50, 55)) and "Gap 49:" not in last
