"""The mentor's workspace, the meeting log and SLT's view of who has not been met this month."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from interventions.models import Flag
from mentoring.models import MentorMeeting
from tests import factories as f
from tracking import standing
from tracking.models import AuditEvent

pytestmark = pytest.mark.django_db

WORKSPACE = reverse("mentoring:mentees")


def meeting(world, pupil, held_on, **extra):
    return MentorMeeting.objects.create(
        school=world.school,
        academic_year=world.year,
        pupil=pupil,
        mentor=world.mentor,
        held_on=held_on,
        kind="formal",
        discussed="Revision",
        recorded_at=timezone.now(),
        **extra,
    )


def graded(world, pupil, subject, current, predicted, security="M", point=None):
    return f.GradeEntryFactory(
        pupil=pupil,
        subject=subject,
        point=point or world.point,
        current=f.grade(world.school, current),
        predicted=f.grade(world.school, predicted),
        security=security,
    )


def test_the_mentor_sees_target_grades_security_and_the_standing_tracking_standing_gives(client, world):
    f.TargetFactory(pupil=world.child, subject=world.maths, grade=f.grade(world.school, "6"))
    entry = graded(world, world.child, world.maths, "4", "5", security="L")
    expected = standing.Book(world.school).judge_entry(entry, world.child.targets.get(subject=world.maths))
    client.force_login(world.mentor.user)
    html = client.get(WORKSPACE).content.decode()
    assert world.child.sorted_name in html
    assert "Low" in html  # the security of the latest grade, in words
    assert standing.label(expected.status, world.school) in html
    assert f'status-{expected.status}"' in html or f"status-{expected.status} " in html
    assert f"<td>{expected.expected.code}</td>" in html  # the grade expected now
    assert world.other_child.sorted_name not in html  # not a mentee


def test_only_the_latest_graded_point_is_shown_per_subject(client, world):
    earlier = f.AssessmentPointFactory(
        school=world.school, academic_year=world.year, year_group=world.y11, name="Y11 Autumn 1", sequence=0
    )
    world.point.sequence = 5
    world.point.save()
    graded(world, world.child, world.maths, "3", "3", point=earlier)
    graded(world, world.child, world.maths, "7", "8")
    client.force_login(world.mentor.user)
    html = client.get(WORKSPACE).content.decode()
    assert "<td>8</td>" in html and "<td>3</td>" not in html
    assert "Y11 Autumn 1" not in html


def test_mentees_not_met_this_month_come_first_with_their_last_meeting(client, world):
    today = timezone.localdate()
    f.MentorAssignmentFactory(pupil=world.classmate, mentor=world.mentor, academic_year=world.year)
    # Ada Lamb was met this month; Ben Ash (first by name) was not, and still comes... first anyway.
    meeting(world, world.child, today)
    last_month = today.replace(day=1) - timedelta(days=3)
    meeting(world, world.classmate, last_month)
    client.force_login(world.mentor.user)
    html = client.get(WORKSPACE).content.decode()
    assert html.index(world.classmate.sorted_name) < html.index(world.child.sorted_name)
    assert last_month.strftime("%-d %b %Y") in html
    assert "1 not met yet" in html


def test_a_mentee_never_met_comes_before_one_met_this_month_whatever_their_names(client, world):
    zed = f.PupilFactory(school=world.school, year_group=world.y11, legal_last_name="Zed")
    f.MentorAssignmentFactory(pupil=zed, mentor=world.mentor, academic_year=world.year)
    meeting(world, world.child, timezone.localdate())
    client.force_login(world.mentor.user)
    html = client.get(WORKSPACE).content.decode()
    assert html.index(zed.sorted_name) < html.index(world.child.sorted_name)
    assert "None yet" in html


def test_open_flags_are_on_the_workspace_and_closed_ones_are_not(client, world):
    for status, reason in (("open", "Two grades below in maths"), ("closed", "Old concern")):
        Flag.objects.create(
            school=world.school,
            pupil=world.child,
            point=world.point,
            subject=world.maths,
            scope="subject",
            level=2,
            reason=reason,
            status=status,
            raised_at=timezone.now(),
        )
    client.force_login(world.mentor.user)
    html = client.get(WORKSPACE).content.decode()
    assert "Two grades below in maths" in html
    assert "Old concern" not in html


def test_the_workspace_reads_a_page_of_mentees_in_a_fixed_number_of_queries(client, world):
    subjects = [world.maths, world.english] + [
        f.SubjectFactory(school=world.school, name=f"Subject {n}", code=f"S{n}") for n in range(4)
    ]

    def add_mentees(n):
        for _ in range(n):
            pupil = f.PupilFactory(school=world.school, year_group=world.y11, form=world.form)
            f.MentorAssignmentFactory(pupil=pupil, mentor=world.mentor, academic_year=world.year)
            meeting(world, pupil, timezone.localdate())
            for subject in subjects:
                f.TargetFactory(pupil=pupil, subject=subject)
                graded(world, pupil, subject, "5", "6")

    client.force_login(world.mentor.user)
    add_mentees(2)
    client.get(WORKSPACE)  # the first request of a session writes it (then at most once a minute)
    with CaptureQueriesContext(connection) as few:
        assert client.get(WORKSPACE).status_code == 200
    add_mentees(10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(WORKSPACE).status_code == 200
    assert len(many) == len(few)
    # 18 on main today; plans, this week's sessions and agreements add one query each once they exist.
    assert len(many) <= 21, "\n".join(q["sql"] for q in many.captured_queries)


def test_the_mentor_logs_a_meeting_and_it_is_audited(client, world):
    client.force_login(world.mentor.user)
    url = reverse("mentoring:mentee", args=[world.child.pk])
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "held_on": today.isoformat(),
            "kind": "informal",
            "discussed": "Mock results",
            "targets_agreed": "Revise algebra",
            "next_steps": "Meet parents",
            "parents_involved": "on",
        },
    )
    assert response.status_code == 302
    logged = MentorMeeting.objects.get(pupil=world.child)
    assert (logged.kind, logged.parents_involved, logged.mentor) == ("informal", True, world.mentor)
    assert logged.recorded_by == world.mentor.user
    event = AuditEvent.objects.get(action="mentoring.meeting.logged")
    assert event.pupil_id == world.child.pk and event.after["kind"] == "informal"
    html = client.get(url).content.decode()
    assert "Mock results" in html and "Revise algebra" in html and "parents or carers involved" in html


@pytest.mark.parametrize(
    "body, message",
    [
        ({"kind": "formal", "discussed": "x"}, "Give the date of the meeting."),
        ({"held_on": "31/02/2026", "kind": "formal", "discussed": "x"}, "Give the date as a date."),
        ({"held_on": "2026-11-02", "kind": "lunch", "discussed": "x"}, "Select a valid choice"),
        ({"held_on": "2026-11-02", "kind": "formal", "discussed": ""}, "Say what was discussed."),
        ({"held_on": "2099-01-01", "kind": "formal", "discussed": "x"}, "a date still to come"),
        ({"held_on": "2001-01-01", "kind": "formal", "discussed": "x"}, "from this academic year"),
    ],
)
def test_a_bad_meeting_is_refused_with_a_clear_message_and_nothing_saved(client, world, body, message):
    client.force_login(world.mentor.user)
    response = client.post(reverse("mentoring:mentee", args=[world.child.pk]), body)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MentorMeeting.objects.exists()


def test_slt_read_the_meeting_log_but_cannot_log_a_meeting(client, world):
    meeting(world, world.child, timezone.localdate(), next_steps="Call home")
    client.force_login(world.slt.user)
    url = reverse("mentoring:mentee", args=[world.child.pk])
    html = client.get(url).content.decode()
    assert "Call home" in html and "Log a meeting" not in html
    response = client.post(url, {"held_on": date.today().isoformat(), "kind": "formal", "discussed": "x"})
    assert response.status_code == 404
    assert MentorMeeting.objects.count() == 1


def test_slt_see_each_mentors_mentees_not_met_this_month(client, world):
    other_mentor = f.StaffFactory(school=world.school, user__school=world.school, roles=["mentor"])
    f.MentorAssignmentFactory(pupil=world.classmate, mentor=other_mentor, academic_year=world.year)
    f.MentorAssignmentFactory(pupil=world.other_child, mentor=other_mentor, academic_year=world.year)
    today = timezone.localdate()
    meeting(world, world.child, today)
    meeting(world, world.classmate, today.replace(day=1) - timedelta(days=1))
    client.force_login(world.slt.user)
    response = client.get(reverse("mentoring:compliance"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 of 3 mentees not met yet" in html
    other_row = html[html.index(str(other_mentor)) :]
    assert world.classmate.sorted_name in other_row and world.other_child.sorted_name in other_row
    assert "never" in other_row
    last_month = today.replace(day=1) - timedelta(days=1)
    assert f"({dateformat.format(last_month, 'j M')})" in other_row  # the day last met, "30 Nov"
    mentor_row = html[html.index(str(world.mentor)) :]
    assert "All met" in mentor_row[: mentor_row.index("</tr>")]


def test_retention_blanks_what_mentoring_wrote_about_a_leaver_and_keeps_the_rows(world):
    import datetime as dt

    from mentoring.models import MentoringSlip
    from tracking.privacy.retention import retention_run

    logged = meeting(
        world, world.child, timezone.localdate(), targets_agreed="Revise", next_steps="Call home"
    )
    MentoringSlip.objects.create(
        school=world.school,
        academic_year=world.year,
        pupil=world.child,
        subject=world.maths,
        kind="concern",
        message="Late again",
        to_improve="Be on time",
        sent_by=world.teacher,
        mentor=world.mentor,
        sent_at=timezone.now(),
    )
    world.school.retention_years = 6
    world.school.save()
    world.child.is_active, world.child.left_on = False, dt.date(2018, 7, 20)
    world.child.save()
    retention_run(school=world.school, today=dt.date(2026, 11, 30))
    logged.refresh_from_db()
    assert (logged.discussed, logged.targets_agreed, logged.next_steps) == ("", "", "")
    slip = MentoringSlip.objects.get()
    assert (slip.message, slip.to_improve, slip.kind) == ("", "", "concern")


def test_the_meetings_export_names_each_mentee_not_met_with_their_upn_form_and_last_meeting(client, world):
    other_mentor = f.StaffFactory(school=world.school, user__school=world.school, roles=["mentor"])
    f.MentorAssignmentFactory(pupil=world.classmate, mentor=other_mentor, academic_year=world.year)
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    meeting(world, world.classmate, last_month)
    client.force_login(world.slt.user)
    rows = (
        client.get(reverse("mentoring:compliance") + "?export=csv").content.decode("utf-8-sig").splitlines()
    )
    lines = {line.split(",")[0]: line for line in rows[1:]}
    c = world.classmate
    assert (
        lines[str(other_mentor)] == f'{other_mentor},1,1,"{c.sorted_name}",{c.upn},{c.form.name},{last_month}'
    )
    assert lines[str(world.mentor)].startswith(f'{world.mentor},1,1,"{world.child.sorted_name}"')
    assert lines[str(world.mentor)].endswith(",")  # never met
