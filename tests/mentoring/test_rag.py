"""The monthly Academic RAG: the window, teachers' ratings, SLT's review and actions, who sees them,
the breakfast feedback, the scheduler, and the printed sheets."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import MentoringSettings, RagAction, RagBreakfast, RagEntry, RagSheetJob, RagWindow
from mentoring.rag import pdf, schedule, services
from mentoring.rag.tasks import make_rag_sheets
from tests import factories as f
from tests.pdftext import pdf_pages, pdf_text
from tracking.cycle import scheduler
from tracking.models import AuditEvent, Role

pytestmark = pytest.mark.django_db


def open_window(world, opens=-1, closes=5, month=None):
    today = date.today()
    window = RagWindow.objects.create(
        school=world.school,
        academic_year=world.year,
        month=month or today.replace(day=1),
        opens_on=today + timedelta(days=opens),
        closes_on=today + timedelta(days=closes),
    )
    window.year_groups.set([world.y11])
    return window


def sheet_url(window, group):
    return reverse("mentoring:rag_sheet", args=[window.pk, group.pk])


def rate(client, window, group, rows):
    body = {}
    for pupil, (rating, comment) in rows.items():
        body[f"rating-{pupil.pk}"] = rating
        body[f"comment-{pupil.pk}"] = comment
    return client.post(sheet_url(window, group), body)


def entry(world, window, pupil, subject, rating, comment="", by=None):
    return RagEntry.objects.create(
        window=window,
        school=world.school,
        pupil=pupil,
        subject=subject,
        rating=rating,
        comment=comment,
        by=(by or world.teacher).user,
        updated_at=timezone.now(),
    )


def test_a_teacher_rates_their_group_and_each_rating_is_audited(client, world):
    window = open_window(world)
    client.force_login(world.teacher.user)
    page = client.get(sheet_url(window, world.group)).content.decode()
    assert world.child.sorted_name in page and world.classmate.sorted_name in page
    assert "Red: concern" in page  # the school's words in the choices
    response = rate(
        client, window, world.group, {world.child: ("R", "Homework missing"), world.classmate: ("", "")}
    )
    assert response.status_code == 302
    saved = RagEntry.objects.get()
    assert (saved.pupil, saved.subject, saved.rating, saved.comment) == (
        world.child,
        world.maths,
        "R",
        "Homework missing",
    )
    rate(client, window, world.group, {world.child: ("A", "Catching up")})
    saved.refresh_from_db()
    assert (saved.rating, saved.version) == ("A", 2)
    events = list(AuditEvent.objects.filter(action="mentoring.rag.rated").order_by("pk"))
    assert len(events) == 2
    assert (
        events[1].before == {"rating": "R", "comment": "Homework missing"}
        and events[1].after["rating"] == "A"
    )


def test_a_rating_outside_the_window_is_refused_with_a_clear_message_and_nothing_saved(client, world):
    window = open_window(world, opens=-10, closes=-1)
    client.force_login(world.teacher.user)
    response = rate(client, window, world.group, {world.child: ("R", "Late")})
    assert response.status_code == 400
    assert "Academic RAG closed on" in response.content.decode()
    assert not RagEntry.objects.exists()
    later = open_window(world, opens=3, closes=9, month=date(2030, 1, 1))
    response = rate(client, later, world.group, {world.child: ("R", "Early")})
    assert "opens on" in response.content.decode() and not RagEntry.objects.exists()


def test_a_bad_row_saves_nothing_and_keeps_what_was_typed(client, world):
    window = open_window(world)
    client.force_login(world.teacher.user)
    response = rate(
        client,
        window,
        world.group,
        {world.child: ("R", "Fine"), world.classmate: ("X", "Typed comment kept")},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "choose a rating for the comment" in html and "Typed comment kept" in html
    assert not RagEntry.objects.exists()


def test_a_teacher_cannot_rate_a_group_they_do_not_teach(client, world):
    window = open_window(world)
    client.force_login(world.teacher.user)
    assert client.get(sheet_url(window, world.other_group)).status_code == 404
    response = client.post(sheet_url(window, world.other_group), {f"rating-{world.other_child.pk}": "R"})
    assert response.status_code == 404 and not RagEntry.objects.exists()


def test_slt_filter_the_review_by_red_subject_mentor_and_change_since_last_month(client, world):
    last = open_window(world, opens=-40, closes=-35, month=date(2020, 1, 1))
    window = open_window(world)
    entry(world, last, world.child, world.maths, "G")
    entry(world, window, world.child, world.maths, "R", "Slipping in maths")
    entry(world, window, world.child, world.english, "G", "Going well in English", by=world.other_teacher)
    entry(world, window, world.classmate, world.maths, "A", "Classmate amber")
    client.force_login(world.slt.user)
    url = reverse("mentoring:rag_review", args=[window.pk])
    every = client.get(url).content.decode()
    assert "Slipping in maths" in every and "Going well in English" in every and "Classmate amber" in every
    red = client.get(url, {"red": "1"}).content.decode()
    assert "Slipping in maths" in red and "Going well in English" not in red and "Classmate amber" not in red
    english = client.get(url, {"subject": world.english.pk}).content.decode()
    assert "Going well in English" in english and "Slipping in maths" not in english
    mentored = client.get(url, {"mentor": world.mentor.pk}).content.decode()
    assert "Slipping in maths" in mentored and "Classmate amber" not in mentored
    changed = client.get(url, {"changed": "1"}).content.decode()
    assert "Slipping in maths" in changed and "Going well in English" not in changed
    assert client.get(url, {"subject": "nonsense"}).status_code == 404


def test_slt_turn_a_red_comment_into_an_action_the_hod_and_the_mentor_see(client, world):
    window = open_window(world)
    red = entry(world, window, world.child, world.maths, "R", "Slipping in maths")
    client.force_login(world.slt.user)
    url = reverse("mentoring:rag_action_new", args=[red.pk])
    form = client.get(url).content.decode()
    assert (
        f"hod:{world.hod.pk}" in form
        and f"mentor:{world.mentor.pk}" in form
        and f"slt:{world.slt.pk}" in form
    )
    due = (date.today() + timedelta(days=14)).isoformat()
    response = client.post(
        url, {"text": "Maths catch-up on Tuesdays", "owner": f"hod:{world.hod.pk}", "due_on": due}
    )
    assert response.status_code == 302
    action = RagAction.objects.get()
    assert (action.owner, action.owner_kind, action.status, action.entry) == (world.hod, "hod", "open", red)
    assert AuditEvent.objects.filter(action="mentoring.rag_action.created", pupil=world.child).exists()
    actions = reverse("mentoring:rag_actions")
    for persona in ("hod", "mentor", "slt"):
        client.force_login(getattr(world, persona).user)
        assert "Maths catch-up on Tuesdays" in client.get(actions).content.decode(), persona
    client.force_login(world.mentor.user)
    assert "Maths catch-up on Tuesdays" in client.get(reverse("mentoring:mentees")).content.decode()
    english_head = f.StaffFactory(
        school=world.school,
        user__school=world.school,
        roles=[(Role.HEAD_OF_DEPARTMENT, {"department": world.english.department})],
    )
    client.force_login(english_head.user)
    assert "Maths catch-up on Tuesdays" not in client.get(actions).content.decode()


def test_an_action_needs_text_an_owner_from_the_list_and_a_due_date_from_today(client, world):
    window = open_window(world)
    red = entry(world, window, world.child, world.maths, "R", "x")
    client.force_login(world.slt.user)
    url = reverse("mentoring:rag_action_new", args=[red.pk])
    past = (date.today() - timedelta(days=1)).isoformat()
    for body, message in (
        ({"text": "", "owner": f"hod:{world.hod.pk}", "due_on": past}, "Say what will be done."),
        (
            {"text": "x", "owner": f"hod:{world.teacher.pk}", "due_on": past},
            "Choose one of the owners listed.",
        ),
        ({"text": "x", "owner": f"hod:{world.hod.pk}", "due_on": past}, "Give a due date from today on."),
        ({"text": "x", "owner": f"hod:{world.hod.pk}", "due_on": "soon"}, "Give the due date as a date."),
    ):
        response = client.post(url, body)
        assert response.status_code == 200 and message in response.content.decode(), message
    assert not RagAction.objects.exists()


def test_the_owner_moves_an_action_on_and_the_mentor_cannot(client, world):
    window = open_window(world)
    action = RagAction.objects.create(
        school=world.school,
        window=window,
        pupil=world.child,
        subject=world.maths,
        text="Catch-up",
        owner_kind="hod",
        owner=world.hod,
        due_on=date.today(),
        created_at=timezone.now(),
    )
    url = reverse("mentoring:rag_action", args=[action.pk])
    client.force_login(world.mentor.user)
    assert client.post(url, {"status": "done"}).status_code == 404
    client.force_login(world.hod.user)
    assert client.post(url, {"status": "in_progress"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"
    event = AuditEvent.objects.get(action="mentoring.rag_action.status")
    assert event.before == {"status": "open"} and event.after == {"status": "in_progress"}
    client.post(url, {"status": "nonsense"})
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_mentors_record_breakfast_feedback_and_slt_read_it(client, world):
    window = open_window(world)
    url = reverse("mentoring:rag_breakfast", args=[window.pk])
    client.force_login(world.mentor.user)
    assert "Write the feedback" in client.post(url, {"feedback": " "}).content.decode()
    assert (
        client.post(
            url, {"feedback": "Ada needs maths support", "further_actions": "Parents evening"}
        ).status_code
        == 302
    )
    assert client.post(url, {"feedback": "Ada is catching up"}).status_code == 302
    assert RagBreakfast.objects.get().feedback == "Ada is catching up"
    client.force_login(world.slt.user)
    assert "Ada is catching up" in client.get(url).content.decode()


def test_slt_open_this_months_rag_and_move_its_dates(client, world):
    client.force_login(world.slt.user)
    today = date.today()
    response = client.post(
        reverse("mentoring:rag_home"),
        {
            "action": "open",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    window = RagWindow.objects.get()
    assert window.month == today.replace(day=1) and list(window.year_groups.all()) == [world.y11]
    later = today + timedelta(days=6)
    response = client.post(
        reverse("mentoring:rag_home"),
        {
            "action": "dates",
            "window": window.pk,
            "opens_on": today.isoformat(),
            "closes_on": later.isoformat(),
        },
    )
    assert response.status_code == 302
    window.refresh_from_db()
    assert window.closes_on == later
    assert AuditEvent.objects.filter(action="mentoring.rag.dates_changed").count() == 1
    bad = client.post(
        reverse("mentoring:rag_home"),
        {
            "action": "dates",
            "window": window.pk,
            "opens_on": later.isoformat(),
            "closes_on": today.isoformat(),
        },
    )
    assert "must close on or after" in bad.content.decode()


def test_the_scheduler_opens_each_months_rag_once_on_the_schools_day(world):
    MentoringSettings.objects.create(school=world.school, rag_opens_day=3, rag_days_open=7)
    before = timezone.make_aware(datetime(2026, 11, 2, 12, 0))
    assert not [e for e in schedule.monthly_windows(before) if e.due_at <= before]
    due = timezone.make_aware(datetime(2026, 11, 3, 7, 0))
    scheduler.run_due(due, sources=[schedule.monthly_windows])
    scheduler.run_due(due + timedelta(hours=1), sources=[schedule.monthly_windows])
    window = RagWindow.objects.get()
    assert (window.month, window.opens_on, window.closes_on) == (
        date(2026, 11, 1),
        date(2026, 11, 3),
        date(2026, 11, 9),
    )
    assert window.is_open_on(date(2026, 11, 9)) and not window.is_open_on(date(2026, 11, 10))


def test_the_schools_own_words_are_used(client, world):
    MentoringSettings.objects.create(school=world.school, label_red="Serious concern")
    window = open_window(world)
    entry(world, window, world.child, world.maths, "R", "x")
    client.force_login(world.slt.user)
    assert "Serious concern" in client.get(reverse("mentoring:rag_review", args=[window.pk])).content.decode()
    css = client.get(reverse("mentoring:rag_theme_css")).content.decode()
    assert "--rag-R:#a4262c" in css


def mentee_with_grades(world, n):
    pupil = f.PupilFactory(school=world.school, year_group=world.y11, form=world.form)
    f.MentorAssignmentFactory(pupil=pupil, mentor=world.mentor, academic_year=world.year)
    return pupil


def test_a_mentors_printed_sheets_have_a_page_per_mentee_in_words_that_read_in_black_and_white(world):
    window = open_window(world)
    f.TargetFactory(pupil=world.child, subject=world.maths, grade=f.grade(world.school, "6"))
    f.GradeEntryFactory(
        pupil=world.child,
        subject=world.maths,
        point=world.point,
        current=f.grade(world.school, "4"),
        predicted=f.grade(world.school, "5"),
        security="L",
    )
    red = entry(world, window, world.child, world.maths, "R", "Homework missing")
    RagAction.objects.create(
        school=world.school,
        window=window,
        entry=red,
        pupil=world.child,
        subject=world.maths,
        text="Maths catch-up",
        owner_kind="hod",
        owner=world.hod,
        due_on=date.today(),
        created_at=timezone.now(),
    )
    f.MentorAssignmentFactory(pupil=world.classmate, mentor=world.mentor, academic_year=world.year)
    document, mentees = pdf.render_mentor(window, world.mentor)
    content = document.write_pdf()
    text = pdf_text(content)
    assert mentees == 2 and pdf_pages(content) == 2
    assert "Lamb, Ada" in text and "Ash, Ben" in text
    words = " ".join(text.split())
    assert "Red:" in words and "Homework" in words and "Maths catch-up" in words
    assert "Low" in text and "Page 1 of 2" in text and f"Mentor: {world.mentor}" in text
    assert "Notes from this month" in text


def test_fifteen_mentees_print_fifteen_pages_through_the_worker_task(world):
    """The time budget (3 s) is measured by bench/rag_sheets.py on the demo school, not on a busy CI box."""
    window = open_window(world)
    for _ in range(14):
        pupil = f.PupilFactory(school=world.school, year_group=world.y11, form=world.form)
        f.MentorAssignmentFactory(pupil=pupil, mentor=world.mentor, academic_year=world.year)
        for subject in (world.maths, world.english):
            f.TargetFactory(pupil=pupil, subject=subject)
            f.GradeEntryFactory(
                pupil=pupil,
                subject=subject,
                point=world.point,
                current=f.grade(world.school, "5"),
                predicted=f.grade(world.school, "6"),
                security="M",
            )
            entry(world, window, pupil, subject, "A", "Steady progress, needs more revision at home")
    job = RagSheetJob.objects.create(
        school=world.school, window=window, mentor=world.mentor, requested_at=timezone.now()
    )
    make_rag_sheets(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.done == job.total == 1 and job.seconds > 0
    assert pdf_pages(bytes(job.pdf)) == 15
    make_rag_sheets(job.pk)  # safe to run twice: a finished job is left alone
    assert RagSheetJob.objects.get(pk=job.pk).finished_at == job.finished_at


def test_the_mentor_asks_for_their_sheets_and_downloads_the_pdf(
    client, world, django_capture_on_commit_callbacks
):
    window = open_window(world)
    client.force_login(world.mentor.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mentoring:rag_sheets", args=[window.pk]), {"scope": "mine"})
    job = RagSheetJob.objects.get()
    assert response["Location"] == reverse("mentoring:rag_sheet_job", args=[job.pk])
    progress = client.get(response["Location"]).content.decode()
    assert "Download the PDF" in progress
    pdf_response = client.get(reverse("mentoring:rag_sheet_pdf", args=[job.pk]))
    assert pdf_response["Content-Type"] == "application/pdf" and pdf_response.content.startswith(b"%PDF")
    other = f.StaffFactory(school=world.school, user__school=world.school, roles=[Role.MENTOR])
    client.force_login(other.user)
    assert client.get(reverse("mentoring:rag_sheet_pdf", args=[job.pk])).status_code == 404


def test_a_window_is_opened_once_per_month(world):
    first = services.rag_window_open(school=world.school, month=date(2026, 11, 1))
    again = services.rag_window_open(school=world.school, month=date(2026, 11, 15))
    assert first.pk == again.pk and RagWindow.objects.count() == 1


def test_a_month_opened_early_by_slt_gives_the_scheduler_nothing_to_do(world):
    services.rag_window_open(school=world.school, month=date(2026, 11, 1), by=world.slt.user)
    due = timezone.make_aware(datetime(2026, 11, 3, 7, 0))
    assert scheduler.run_due(due, sources=[schedule.monthly_windows]) == []
    assert RagWindow.objects.count() == 1


def test_every_mentors_sheets_are_shared_between_workers_and_joined_in_order(
    world, django_capture_on_commit_callbacks
):
    from mentoring.models import RagSheetPart
    from mentoring.rag import tasks

    window = open_window(world)
    mentors = [world.mentor] + [
        f.StaffFactory(
            school=world.school, user__school=world.school, user__last_name=f"Zz{n}", roles=[Role.MENTOR]
        )
        for n in range(4)
    ]
    for mentor in mentors[1:]:
        pupil = f.PupilFactory(school=world.school, year_group=world.y11, form=world.form)
        f.MentorAssignmentFactory(pupil=pupil, mentor=mentor, academic_year=world.year)
    job = RagSheetJob.objects.create(school=world.school, window=window, requested_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        make_rag_sheets(job.pk)
    job.refresh_from_db()
    assert len(tasks.mentors_with_mentees(window)) == 5 and tasks.MENTORS_PER_PART < 5
    assert job.status == "done" and job.done == job.total == 5
    content = bytes(job.pdf)
    assert pdf_pages(content) == 5  # a page for each mentee, every mentor
    text = pdf_text(content)
    assert text.index(f"Mentor: {world.mentor}") < text.index(f"Mentor: {mentors[-1]}")
    assert not RagSheetPart.objects.exists()
