"""The tracking cycle's state machine, driven by a controllable clock."""

from datetime import date, datetime, time

import pytest
from django.core import mail
from django.utils import timezone

from tracking.cycle import scheduler, services, verification
from tracking.cycle.tasks import send_cycle_emails
from tracking.lib.errors import DomainError
from tracking.models import (
    CycleNotification,
    CycleTransition,
    HealthCheck,
    ScheduledEventRun,
    Stage,
    TrackingCycle,
)
from tracking.signals import cycle_stage_entered

pytestmark = pytest.mark.django_db

DATES = {
    "input_on": date(2026, 11, 2),
    "verification_on": date(2026, 11, 9),
    "health_check_on": date(2026, 11, 16),
    "actions_on": date(2026, 11, 23),
    "evaluation_on": date(2026, 12, 14),
    "closes_on": date(2026, 12, 21),
}


def at(day, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@pytest.fixture
def cycle(world):
    return services.cycle_create(
        school=world.school,
        academic_year=world.year,
        name="Autumn 2 data uplift",
        points=[world.point],
        dates=DATES,
    )


def stages_entered(cycle):
    return list(CycleTransition.objects.filter(cycle=cycle).values_list("to_stage", flat=True))


def run(now, cycle):
    return scheduler.run_due(
        now,
        sources=[
            lambda t: services.cycle_events(
                t, cycles=TrackingCycle.objects.filter(pk=cycle.pk, is_held=False)
            )
        ],
    )


def test_default_dates_put_stages_at_weeks_0_1_2_3_and_6():
    dates = services.default_dates(date(2026, 11, 2))
    assert dates["verification_on"] == date(2026, 11, 9)
    assert dates["health_check_on"] == date(2026, 11, 16)
    assert dates["actions_on"] == date(2026, 11, 23)
    assert dates["evaluation_on"] == date(2026, 12, 14)


def test_verification_never_starts_before_the_input_window_closes():
    dates = services.default_dates(date(2026, 11, 2), closes_on=date(2026, 11, 13))
    assert dates["verification_on"] == date(2026, 11, 14)
    assert dates["evaluation_on"] == date(2026, 12, 14)


def test_nothing_happens_before_the_first_stage_date(cycle):
    assert run(at(date(2026, 11, 1)), cycle) == []
    cycle.refresh_from_db()
    assert cycle.stage == Stage.PLANNED


def test_a_stage_is_entered_when_its_date_comes(cycle):
    ran = run(at(date(2026, 11, 2), 7), cycle)
    cycle.refresh_from_db()
    assert ran == [f"cycle:{cycle.pk}:input"]
    assert cycle.stage == Stage.INPUT


def test_after_three_days_of_downtime_every_due_stage_runs_once_in_order(cycle, world):
    run(at(date(2026, 11, 2)), cycle)
    # The worker was down from the 8th; it comes back on the 17th: verification and health check are due.
    ran = run(at(date(2026, 11, 17)), cycle)
    assert ran == [f"cycle:{cycle.pk}:verification", f"cycle:{cycle.pk}:health_check"]
    assert stages_entered(cycle) == ["input", "verification", "health_check"]
    world.point.refresh_from_db()
    assert world.point.is_locked  # verification's side effect was not skipped
    assert HealthCheck.objects.filter(cycle=cycle).exists()  # nor was the health check's


def test_running_the_scheduler_twice_performs_each_transition_exactly_once(cycle):
    first = run(at(date(2026, 12, 30)), cycle)
    second = run(at(date(2026, 12, 30)), cycle)
    assert second == []
    assert len(first) == 6
    assert stages_entered(cycle) == [
        "input",
        "verification",
        "health_check",
        "actions",
        "evaluation",
        "closed",
    ]
    assert ScheduledEventRun.objects.filter(key__startswith=f"cycle:{cycle.pk}:").count() == 6


def test_transitions_record_the_scheduler_as_their_author(cycle):
    run(at(date(2026, 11, 3)), cycle)
    transition = CycleTransition.objects.get(cycle=cycle)
    assert transition.by is None and transition.by_label == "Scheduler"
    assert (transition.from_stage, transition.to_stage) == ("planned", "input")


def test_a_held_cycle_is_skipped_until_released_then_catches_up(cycle, world):
    run(at(date(2026, 11, 2)), cycle)
    services.cycle_hold(cycle=cycle, by=world.data_manager.user, reason="Mocks delayed")
    assert run(at(date(2026, 11, 20)), cycle) == []
    cycle.refresh_from_db()
    assert cycle.stage == Stage.INPUT
    services.cycle_release(cycle=cycle, by=world.data_manager.user)
    run(at(date(2026, 11, 20)), cycle)
    assert stages_entered(cycle) == ["input", "verification", "health_check"]


def test_a_held_stage_is_deferred_not_marked_done(cycle, world):
    services.cycle_hold(cycle=cycle, by=world.data_manager.user)
    event = services.cycle_events(at(date(2026, 11, 3)), cycles=[cycle])[0]
    assert scheduler.run_event(event, at(date(2026, 11, 3))) == scheduler.DEFERRED
    assert not ScheduledEventRun.objects.exists()


def test_the_data_manager_advances_by_hand_and_the_scheduler_does_not_repeat_it(cycle, world):
    user = world.data_manager.user
    services.cycle_advance(cycle=cycle, by=user, now=at(date(2026, 10, 30)))
    cycle.refresh_from_db()
    services.cycle_advance(cycle=cycle, by=user, now=at(date(2026, 10, 31)))
    transition = CycleTransition.objects.get(cycle=cycle, to_stage="verification")
    assert transition.by == user and transition.via == "manual"
    run(at(date(2026, 11, 10)), cycle)
    assert stages_entered(cycle) == ["input", "verification"]


def test_advancing_a_closed_cycle_is_refused_with_a_message(cycle, world):
    run(at(date(2027, 1, 5)), cycle)
    cycle.refresh_from_db()
    with pytest.raises(DomainError) as error:
        services.cycle_advance(cycle=cycle, by=world.data_manager.user)
    assert "closed" in error.value.message


def test_fast_forward_runs_the_next_stage_as_if_its_date_had_come(cycle, world):
    user = world.data_manager.user
    ran = services.cycle_fast_forward(cycle=cycle, by=user, now=at(date(2026, 10, 1)))
    assert ran == [f"cycle:{cycle.pk}:input"]
    transition = CycleTransition.objects.get(cycle=cycle)
    assert transition.via == "fast-forward" and transition.by == user
    assert "fast-forward for demonstration" in transition.note
    cycle.refresh_from_db()
    services.cycle_fast_forward(cycle=cycle, by=user, now=at(date(2026, 10, 1)))
    assert stages_entered(cycle) == ["input", "verification"]


def test_entering_a_stage_sends_the_signal_with_the_cycle_and_stage(cycle):
    received = []

    def receiver(sender, cycle, stage, **kwargs):
        received.append((cycle.pk, stage))

    cycle_stage_entered.connect(receiver)
    try:
        run(at(date(2026, 11, 24)), cycle)
    finally:
        cycle_stage_entered.disconnect(receiver)
    assert received == [(cycle.pk, s) for s in ("input", "verification", "health_check", "actions")]


def test_entering_a_stage_twice_is_a_no_op(cycle):
    assert services.cycle_enter_stage(cycle_id=cycle.pk, stage="input", now=at(date(2026, 11, 2)))
    assert services.cycle_enter_stage(cycle_id=cycle.pk, stage="input", now=at(date(2026, 11, 2))) is None
    with pytest.raises(services.EarlierStagePending):
        services.cycle_enter_stage(cycle_id=cycle.pk, stage="actions", now=at(date(2026, 11, 2)))


def test_window_side_effects_are_safe_to_repeat(cycle, world):
    run(at(date(2026, 11, 10)), cycle)
    services._lock_window(cycle, at(date(2026, 11, 10)))
    world.point.refresh_from_db()
    assert world.point.is_locked


def test_stage_emails_go_once_to_each_recipient_even_when_the_task_runs_twice(cycle, world):
    world.teacher.user.email = "teacher@example.org"
    world.teacher.user.save()
    assert send_cycle_emails(cycle.pk, "input") >= 1
    sent = len(mail.outbox)
    assert send_cycle_emails(cycle.pk, "input") == 0
    assert len(mail.outbox) == sent
    assert CycleNotification.objects.filter(cycle=cycle, stage="input", user=world.teacher.user).exists()


def test_verification_emails_go_to_heads_of_department_and_slt(cycle, world):
    send_cycle_emails(cycle.pk, "verification")
    recipients = {address for message in mail.outbox for address in message.to}
    assert world.hod.user.email in recipients and world.slt.user.email in recipients
    assert world.teacher.user.email not in recipients


def test_generating_a_cycle_per_half_term_groups_the_points(world):
    created = services.cycles_generate_for_year(academic_year=world.year)
    assert len(created) == 1 and list(created[0].points.all()) == [world.point]
    assert services.cycles_generate_for_year(academic_year=world.year) == []


def test_a_sheet_sent_back_at_verification_reopens_for_its_teacher_until_resubmitted(world, cycle, client):
    from datetime import timedelta

    from django.urls import reverse

    from tracking.models import SheetReturn

    today = timezone.localdate()
    world.point.closes_on = today - timedelta(days=1)
    world.point.is_locked = True
    world.point.save()
    cycle.stage = Stage.VERIFICATION
    cycle.health_check_on = today + timedelta(days=3)
    cycle.save()
    url = reverse("marksheet", args=[world.group.pk, world.point.pk])
    client.force_login(world.teacher.user)
    assert "read-only" in client.get(url).content.decode()

    verification.sheet_send_back(
        cycle=cycle, group=world.group, reason="Predictions missing", by=world.hod.user
    )
    page = client.get(url).content.decode()
    assert "read-only" not in page and "Reopened" in page
    from tracking.marksheets.windows import active_reopens, window_for

    assert window_for(world.point, active_reopens(world.point, world.group)).is_open

    verification.sheet_resubmit(
        sheet=SheetReturn.objects.get(teaching_group=world.group), by=world.teacher.user
    )
    assert not window_for(world.point, active_reopens(world.point, world.group)).is_open


def test_the_verification_board_lists_each_groups_teachers_by_name(world, cycle, client):
    from django.urls import reverse

    world.english_group.teachers.add(world.teacher)
    client.force_login(world.slt.user)
    board = client.get(reverse("cycle_verify", args=[cycle.pk])).context["board"]
    groups = {g.pk: g for entry in board for g in entry["groups"]}
    by_name = sorted(
        [world.teacher, world.other_teacher], key=lambda s: (s.user.last_name, s.user.first_name)
    )
    assert groups[world.english_group.pk].teacher_list == by_name
    assert groups[world.group.pk].teacher_list == [world.teacher]
    assert [str(t) for t in groups[world.english_group.pk].teacher_list] == [str(t) for t in by_name]


def test_the_verification_board_offers_to_send_each_class_back_and_to_close_one_sent_back(
    world, cycle, client
):
    from django.urls import reverse

    from tracking.models import SheetReturn

    cycle.stage = Stage.VERIFICATION
    cycle.save()
    world.group.name = "11<A>/Ma"
    world.group.save()
    verification.sheet_send_back(
        cycle=cycle, group=world.group, reason="No <b>predictions</b>", by=world.hod.user
    )
    sheet = SheetReturn.objects.get(teaching_group=world.group)
    client.force_login(world.slt.user)
    page = client.get(reverse("cycle_verify", args=[cycle.pk])).content.decode()
    row = page[page.index("<td>11&lt;A&gt;/Ma</td>") :]
    row = row[: row.index("</tr>")]
    assert f"<td>{world.maths.name}</td>" in row
    assert "<strong>Sent back</strong>: No &lt;b&gt;predictions&lt;/b&gt;" in row
    assert f'<input type="hidden" name="sheet" value="{sheet.pk}">' in row
    assert f'<label class="visually-hidden" for="reason-{world.group.pk}">' in row
    assert "Reason for sending 11&lt;A&gt;/Ma back</label>" in row
    assert row.count('name="csrfmiddlewaretoken"') == 2  # closing it again, and sending it back
