"""Running the rules again, flags by hand, owners' actions and the impact evaluation."""

from datetime import date

import pytest
from django.urls import reverse

from interventions import services, tasks
from interventions.models import Flag, FlagStatus, Outcome
from interventions.report import impact_section
from tests import factories as f
from tracking.cycle.services import cycle_create, cycle_enter_stage
from tracking.lib.errors import DomainError
from tracking.models import AuditEvent
from tracking.signals import cycle_stage_entered

from .helpers import grade, later_point, subjects, use_preset


@pytest.fixture
def laude(world):
    return use_preset(world, "laude")


def test_running_the_rules_twice_for_a_point_raises_each_flag_once(world, laude):
    grade(world, world.child, world.maths, "4", "6")
    first = services.rules_run(point=world.point)
    second = services.rules_run(point=world.point)
    assert first.raised == Flag.objects.count() > 0
    assert second.raised == 0 and second.unchanged == first.raised
    runs = AuditEvent.objects.filter(action="interventions.rules.ran").order_by("pk")
    assert [e.after["raised"] for e in runs] == [first.raised, 0]


def test_a_rerun_brings_an_open_flag_up_to_date_but_leaves_a_closed_one_alone(world, laude):
    entry = grade(world, world.child, world.maths, "5", "7")
    grade(world, world.child, world.english, "5", "6")
    services.rules_run(point=world.point)
    gap = Flag.objects.get(rule__code="subject-gap")
    tutor = Flag.objects.get(rule__code="tutor-bands")
    services.flag_action_record(
        flag=tutor, action_text="Spoke to Ada", status=FlagStatus.CLOSED, by=world.tutor.user
    )
    entry.current = f.grade(world.school, "3")
    entry.save()
    result = services.rules_run(point=world.point)
    gap.refresh_from_db()
    # Now also below grade 4: one flag for the department, with both reasons.
    assert gap.reason == (
        "Below expected now by 4 grades in Mathematics (3; expected now 7, target 7); "
        "Working below grade 4 in Mathematics (3)"
    )
    assert result.updated == 1 and Flag.objects.filter(subject=world.maths).count() == 1
    assert Flag.objects.get(pk=tutor.pk).status == FlagStatus.CLOSED


def test_a_rerun_clears_an_untouched_flag_whose_pupil_recovered_and_reopens_it_if_they_slip(world, laude):
    entry = grade(world, world.child, world.maths, "4", "6")
    services.rules_run(point=world.point)
    flag = Flag.objects.get(pupil=world.child)
    entry.current = f.grade(world.school, "6")
    entry.save()
    assert services.rules_run(point=world.point).cleared == 1
    flag.refresh_from_db()
    assert (flag.status, flag.cleared_by_rules) == (FlagStatus.CLOSED, True)
    entry.current = f.grade(world.school, "4")
    entry.save()
    services.rules_run(point=world.point)
    flag.refresh_from_db()
    assert (flag.status, flag.cleared_by_rules) == (FlagStatus.OPEN, False)
    assert Flag.objects.count() == 1


def test_a_rerun_leaves_a_recovered_pupils_flag_alone_once_its_owner_has_acted(world, laude):
    entry = grade(world, world.child, world.maths, "4", "6")
    services.rules_run(point=world.point)
    flag = Flag.objects.get(pupil=world.child)
    services.flag_action_record(flag=flag, action_text="Catch-up booked", status="open", by=world.hod.user)
    entry.current = f.grade(world.school, "6")
    entry.save()
    assert services.rules_run(point=world.point).cleared == 0
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_the_owner_sets_the_level_a_rerun_keeps_it_and_the_change_is_audited(world, laude):
    entry = grade(world, world.child, world.maths, "4", "6")
    services.rules_run(point=world.point)
    flag = Flag.objects.get(pupil=world.child)
    services.flag_level_set(flag=flag, level=3, by=world.hod.user)
    entry.current = f.grade(world.school, "3")
    entry.save()
    services.rules_run(point=world.point)
    flag.refresh_from_db()
    assert (flag.level, flag.level_chosen) == (3, True)
    assert "below grade 4" in flag.reason
    event = AuditEvent.objects.get(action="interventions.flag.level_set")
    assert (event.by, event.before["level"], event.after["level"]) == (world.hod.user, 1, 3)
    with pytest.raises(DomainError):
        services.flag_level_set(flag=flag, level=4, by=world.hod.user)


def test_a_flag_raised_by_hand_goes_to_the_owner_for_its_scope_and_is_audited(world):
    flag = services.flag_raise(
        pupil=world.child,
        scope="form_tutor",
        level=1,
        reason="Feared to slip: quiet in lessons",
        by=world.teacher.user,
    )
    assert (flag.owner, flag.source, flag.point) == (world.tutor, "manual", world.point)
    subject_flag = services.flag_raise(
        pupil=world.child,
        scope="subject",
        subject=world.maths,
        level=2,
        reason="Missed homework",
        by=world.teacher.user,
    )
    assert subject_flag.owner == world.hod
    event = AuditEvent.objects.get(action="interventions.flag.raised", object_id=str(flag.pk))
    assert event.by == world.teacher.user and event.pupil == world.child


def test_a_subject_flag_by_hand_needs_a_subject_and_a_reason(world):
    with pytest.raises(DomainError) as error:
        services.flag_raise(pupil=world.child, scope="subject", level=1, reason="x", by=world.teacher.user)
    assert error.value.code == "subject_required"
    with pytest.raises(DomainError):
        services.flag_raise(
            pupil=world.child, scope="form_tutor", level=1, reason="  ", by=world.teacher.user
        )
    assert not Flag.objects.exists()


def test_recording_an_action_is_audited_with_before_and_after(world, laude):
    grade(world, world.child, world.maths, "4", "6")
    services.rules_run(point=world.point)
    flag = Flag.objects.get(rule__code="subject-gap")
    services.flag_action_record(
        flag=flag, action_text="Maths catch-up on Tuesdays", action_due=date(2026, 12, 1),
        status=FlagStatus.ACTIONED, by=world.hod.user,
    )  # fmt: skip
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACTIONED and flag.actioned_at is not None
    event = AuditEvent.objects.get(action="interventions.flag.action_recorded")
    assert event.before["status"] == "open"
    assert event.after == {
        "status": "actioned",
        "action_text": "Maths catch-up on Tuesdays",
        "action_due": "2026-12-01",
    }
    assert event.by == world.hod.user


def test_a_flag_cannot_be_closed_without_saying_what_was_done(world):
    flag = services.flag_raise(
        pupil=world.child, scope="form_tutor", level=1, reason="Slipping", by=world.tutor.user
    )
    with pytest.raises(DomainError):
        services.flag_action_record(flag=flag, action_text="", status=FlagStatus.CLOSED, by=world.tutor.user)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_impact_compares_the_next_points_grade_with_the_flags_point(world, laude):
    history = subjects(world, "History")[0]
    later = later_point(world, name="Y11 Spring 1", is_locked=True)
    grade(world, world.child, world.maths, "4", "6")
    grade(world, world.child, world.english, "4", "6")
    grade(world, world.child, history, "6", "6")
    grade(world, world.classmate, world.maths, "3", "6")
    grade(world, world.child, world.maths, "5", point=later)
    grade(world, world.child, world.english, "4-", point=later)
    grade(world, world.child, history, "7", point=later)
    services.rules_run(point=world.point)
    counts = services.impact_evaluate(point=world.point)
    outcome = {(fl.pupil_id, fl.subject_id, fl.rule.code): fl for fl in Flag.objects.select_related("rule")}
    maths = outcome[(world.child.pk, world.maths.pk, "subject-gap")]
    assert maths.outcome == Outcome.IMPROVED and maths.outcome_detail["before"] == "4"
    assert outcome[(world.child.pk, world.english.pk, "subject-gap")].outcome == Outcome.DECLINED
    assert outcome[(world.classmate.pk, world.maths.pk, "subject-gap")].outcome == Outcome.NO_DATA
    # Tutor flag: mean of (4, 4, 6) -> (5, 3.67, 7): improved.
    assert outcome[(world.child.pk, None, "tutor-bands")].outcome == Outcome.IMPROVED
    assert sum(counts.values()) == Flag.objects.count()
    section = impact_section(world.point)
    assert section["points"] == [{"point": world.point, "next_point": later}]
    assert section["counts"]["improved"] == counts["improved"]


def test_flag_outcomes_wait_for_the_next_point_to_lock_never_reading_a_window_still_open(world, laude):
    later = later_point(world, name="Y11 Spring 1", is_locked=False)
    grade(world, world.child, world.maths, "4", "6")
    grade(world, world.child, world.maths, "7", point=later)  # half-entered, not yet verified
    services.rules_run(point=world.point)
    services.impact_evaluate(point=world.point)
    flag = Flag.objects.get(pupil=world.child, subject=world.maths)
    assert flag.outcome == Outcome.NO_DATA and flag.outcome_detail["next_point"] is None
    assert impact_section(world.point)["points"] == [{"point": world.point, "next_point": None}]
    # The window locks for verification: evaluating that point also measures the flags waiting for it.
    later.is_locked = True
    later.save()
    tasks.evaluate_impact_for_point(later.pk)
    flag.refresh_from_db()
    assert flag.outcome == Outcome.IMPROVED
    assert flag.outcome_detail == {"before": "4", "after": "7", "next_point": later.pk}


def test_a_flag_at_year_10s_last_point_is_measured_at_year_11s_first_locked_point(world, laude):
    last_year = f.AcademicYearFactory(
        school=world.school, name="2025/26", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31),
        is_current=False,
    )  # fmt: skip
    summer = f.AssessmentPointFactory(
        school=world.school, academic_year=last_year, name="Y10 Summer 2", sequence=6, is_locked=True,
        year_group=f.YearGroupFactory(school=world.school, number=10),
    )  # fmt: skip
    world.point.is_locked = True
    world.point.save()
    grade(world, world.child, world.maths, "5", "6", point=summer)
    grade(world, world.child, world.maths, "4")
    flag = services.flag_raise(
        pupil=world.child, scope="subject", subject=world.maths, level=1, reason="Slipping",
        by=world.hod.user, point=summer,
    )  # fmt: skip
    services.impact_evaluate(point=summer)
    flag.refresh_from_db()
    assert flag.outcome == Outcome.DECLINED and flag.outcome_detail["next_point"] == world.point.pk


def _cycle_at_health_check(world):
    cycle = cycle_create(school=world.school, academic_year=world.year, name="Autumn 2", points=[world.point])
    cycle.stage = "health_check"
    cycle.save()
    return cycle


def test_the_cycles_actions_stage_runs_the_rules_and_its_evaluation_stage_the_impact(
    world, laude, django_capture_on_commit_callbacks
):
    grade(world, world.child, world.maths, "4", "6")
    cycle = _cycle_at_health_check(world)
    with django_capture_on_commit_callbacks(execute=True):
        cycle_enter_stage(cycle_id=cycle.pk, stage="actions")
    flag = Flag.objects.get(rule__code="subject-gap")
    assert flag.cycle_id == cycle.pk
    with django_capture_on_commit_callbacks(execute=True):
        cycle_enter_stage(cycle_id=cycle.pk, stage="evaluation")
    flag.refresh_from_db()
    assert flag.outcome == Outcome.NO_DATA and flag.evaluated_at is not None


def test_other_stages_queue_nothing(world, laude, django_capture_on_commit_callbacks):
    cycle = _cycle_at_health_check(world)
    with django_capture_on_commit_callbacks() as callbacks:
        cycle_stage_entered.send(sender=None, cycle=cycle, stage="health_check")
    assert callbacks == []


def test_the_cycle_report_shows_the_impact_to_those_who_may_see_the_flags(client, world, laude):
    later = later_point(world, is_locked=True)
    grade(world, world.child, world.maths, "4", "6")
    grade(world, world.child, world.maths, "5", point=later)
    cycle = _cycle_at_health_check(world)
    cycle_enter_stage(cycle_id=cycle.pk, stage="actions")
    services.rules_run(point=world.point, cycle_id=cycle.pk)  # on_commit does not fire inside a test
    cycle_enter_stage(cycle_id=cycle.pk, stage="evaluation")
    services.impact_evaluate(point=world.point)
    client.force_login(world.hod.user)
    page = " ".join(client.get(reverse("cycle_report", args=[cycle.pk])).content.decode().split())
    assert "Impact of intervention" in page and "Lamb, Ada" in page
    assert "1 flag raised: <strong>1</strong> improved" in page
    client.force_login(world.slt.user)
    page = " ".join(client.get(reverse("cycle_report", args=[cycle.pk])).content.decode().split())
    assert "1 flag raised: <strong>1</strong> improved" in page


def test_rules_for_one_point_read_a_fixed_number_of_queries(world, laude, django_assert_max_num_queries):
    for _ in range(20):
        pupil = f.PupilFactory(school=world.school, year_group=world.y11, form=world.form)
        grade(world, pupil, world.maths, "3", "6")
        grade(world, pupil, world.english, "5", "6")
    # tracking.standing's SQL form adds the point's place and the scales' lowest grades: still fixed.
    with django_assert_max_num_queries(17):
        result = services.rules_run(point=world.point)
    assert result.raised == 40  # per pupil: one maths flag (two rules merged), one tutor flag


def test_the_impact_section_renders_for_the_cycle_report(world, laude):
    from django.template.loader import render_to_string

    later = later_point(world, is_locked=True)
    grade(world, world.child, world.maths, "4", "6")
    grade(world, world.child, world.maths, "5", point=later)
    services.rules_run(point=world.point)
    services.impact_evaluate(point=world.point)
    section = impact_section(world.point)
    html = render_to_string(section["template"], {"section": section})
    assert "Lamb, Ada" in html and "Improved" in html
    assert "1 flag raised: <strong>1</strong> improved, <strong>0</strong> no change" in " ".join(
        html.split()
    )
