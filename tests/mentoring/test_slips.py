"""Mentoring slips: a teacher of the pupil sends one, the mentor is emailed and marks it discussed."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentoring.models import MentoringSlip, MentorMeeting
from tests import factories as f

pytestmark = pytest.mark.django_db

SLIPS = reverse("mentoring:slips")


def new_url(pupil):
    return reverse("mentoring:slip_new", args=[pupil.pk])


def send(client, world, **extra):
    body = {
        "subject": world.maths.pk,
        "kind": "concern",
        "message": "Three homeworks missing",
        "to_improve": "Hand homework in on Fridays",
    }
    body.update(extra)
    return client.post(new_url(world.child), body)


def test_a_teacher_sends_a_slip_and_the_mentor_is_emailed_once(
    client, world, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "http://testserver.example"
    world.mentor.user.email = "mentor@example.org"
    world.mentor.user.save()
    client.force_login(world.teacher.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, world)
    assert response.status_code == 302
    slip = MentoringSlip.objects.get()
    assert (slip.mentor, slip.sent_by, slip.subject, slip.kind) == (
        world.mentor,
        world.teacher,
        world.maths,
        "concern",
    )
    assert slip.emailed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mentor@example.org"]
    assert "Ada Lamb" in mail.outbox[0].subject and "Hand homework in on Fridays" in mail.outbox[0].body
    assert "http://testserver.example/mentoring/slips/" in mail.outbox[0].body.split()
    from mentoring.tasks import send_slip_email

    assert send_slip_email(slip.pk) == 0  # safe to run twice: nothing sent again
    assert len(mail.outbox) == 1


def test_the_subject_list_holds_only_what_the_teacher_teaches_the_pupil(client, world):
    client.force_login(world.other_teacher.user)  # teaches Ada English, and maths to another group
    html = client.get(new_url(world.child)).content.decode()
    assert "English Language" in html and "Mathematics" not in html
    response = send(client, world)  # maths: not a subject they teach her
    assert response.status_code == 404
    assert not MentoringSlip.objects.exists()


def test_a_teacher_cannot_send_a_slip_about_a_pupil_they_do_not_teach(client, world):
    client.force_login(world.teacher.user)
    assert client.get(new_url(world.other_child)).status_code == 404


def test_a_concern_needs_a_target_for_improvement_and_nothing_is_saved(client, world):
    client.force_login(world.teacher.user)
    response = send(client, world, to_improve="  ")
    assert response.status_code == 200
    assert "Give at least one target for improvement with a concern." in response.content.decode()
    assert not MentoringSlip.objects.exists()


def test_a_positive_slip_needs_no_target(client, world):
    client.force_login(world.teacher.user)
    assert send(client, world, kind="positive", to_improve="", message="Superb mock").status_code == 302
    assert MentoringSlip.objects.get().kind == "positive"


def test_a_pupil_without_a_mentor_gets_no_slip_form(client, world):
    world.group.pupils.add(world.other_child)
    client.force_login(world.teacher.user)
    html = client.get(new_url(world.other_child)).content.decode()
    assert "has no mentor this year" in html
    response = client.post(
        new_url(world.other_child), {"subject": world.maths.pk, "kind": "positive", "message": "Great"}
    )
    assert response.status_code == 200 and "has no mentor this year" in response.content.decode()
    assert not MentoringSlip.objects.exists()


def test_the_mentor_sees_waiting_slips_and_marks_one_discussed_into_the_meeting_log(client, world):
    client.force_login(world.teacher.user)
    send(client, world)
    slip = MentoringSlip.objects.get()
    client.force_login(world.mentor.user)
    html = client.get(SLIPS).content.decode()
    assert "Three homeworks missing" in html and "1 waiting to be discussed" in html
    response = client.post(reverse("mentoring:slip_discussed", args=[slip.pk]))
    assert response.status_code == 302
    slip.refresh_from_db()
    assert slip.discussed_at is not None
    log = client.get(reverse("mentoring:mentee", args=[world.child.pk])).content.decode()
    assert "Three homeworks missing" in log and "discussed" in log


def test_slips_ticked_in_a_meeting_are_discussed_in_that_meeting(client, world):
    client.force_login(world.teacher.user)
    send(client, world)
    slip = MentoringSlip.objects.get()
    client.force_login(world.mentor.user)
    url = reverse("mentoring:mentee", args=[world.child.pk])
    assert "Slips talked through in this meeting" in client.get(url).content.decode()
    body = {
        "held_on": timezone.localdate().isoformat(),
        "kind": "formal",
        "discussed": "Homework",
        "slips": [slip.pk],
    }
    assert client.post(url, body).status_code == 302
    slip.refresh_from_db()
    assert slip.meeting == MentorMeeting.objects.get() and slip.discussed_at is not None
    assert "Slips discussed:" in client.get(url).content.decode()


def test_another_mentor_cannot_mark_a_slip_discussed(client, world):
    other = f.StaffFactory(school=world.school, user__school=world.school, roles=["mentor"])
    client.force_login(world.teacher.user)
    send(client, world)
    slip = MentoringSlip.objects.get()
    client.force_login(other.user)
    assert client.post(reverse("mentoring:slip_discussed", args=[slip.pk])).status_code == 404
    slip.refresh_from_db()
    assert slip.discussed_at is None
    assert "Three homeworks missing" not in client.get(SLIPS).content.decode()


def test_a_teacher_picks_a_pupil_from_those_they_teach(client, world):
    client.force_login(world.teacher.user)
    html = client.get(SLIPS).content.decode()
    assert world.child.sorted_name in html and world.other_child.sorted_name not in html
    response = client.get(SLIPS, {"pupil": world.child.pk})
    assert response.status_code == 302 and response["Location"] == new_url(world.child)
    assert client.get(SLIPS, {"pupil": world.other_child.pk}).status_code == 404
    assert client.get(SLIPS, {"pupil": "x"}).status_code == 404
