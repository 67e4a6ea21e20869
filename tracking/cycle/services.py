"""The tracking cycle's state machine: stages, their dates, their side effects, and who may move them.

input → verification → health_check → actions → evaluation → closed. The scheduler
(tracking.cycle.scheduler) enters each stage when its date comes; the data manager may also advance, hold
(pause) and release a cycle, or fast-forward it for a demonstration. Every entry is a CycleTransition
row, made once (a unique constraint backs the check) with the cycle row locked, and its side effects
are safe to repeat.

Services take `now` (default timezone.now()) so tests drive the clock.
"""

from datetime import datetime, time, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from tracking import audit
from tracking.cycle import scheduler
from tracking.cycle.health import health_checks_generate
from tracking.cycle.tasks import send_cycle_emails
from tracking.lib.errors import DomainError
from tracking.lib.queue import safe_enqueue
from tracking.models import (
    STAGE_ORDER,
    AssessmentPoint,
    CycleTransition,
    HalfTerm,
    Stage,
    TrackingCycle,
)
from tracking.signals import cycle_stage_entered

# Stages happen at this local time on their date (before school, so windows open for the day).
STAGE_TIME = time(6, 0)
# Weeks from the point's opening date (policy: stages at weeks 0, 1, 2, 3 and 6).
DEFAULT_WEEKS = {
    Stage.INPUT: 0,
    Stage.VERIFICATION: 1,
    Stage.HEALTH_CHECK: 2,
    Stage.ACTIONS: 3,
    Stage.EVALUATION: 6,
    Stage.CLOSED: 7,
}
DATED_STAGES = STAGE_ORDER[1:]


class CycleHeld(scheduler.Deferred):
    pass


class EarlierStagePending(scheduler.Deferred):
    pass


def due_at(cycle, stage):
    """When a stage is due, as an aware datetime in the school's time zone."""
    return timezone.make_aware(datetime.combine(cycle.date_for(stage), STAGE_TIME))


class SchoolDays:
    """Which days a school is open: weekdays inside its half terms. Days outside them are holidays
    up to the end of the last school year the school has set up; after that, every weekday counts
    (so a summer uplift's later stages land in September rather than in August)."""

    def __init__(self, terms, until):
        self.terms = sorted(terms)
        self.until = until

    @classmethod
    def for_school(cls, school):
        rows = list(
            HalfTerm.objects.filter(academic_year__school=school).values_list(
                "starts_on", "ends_on", "academic_year__ends_on"
            )
        )
        if not rows:
            return None
        return cls([(start, end) for start, end, _ in rows], max(year_end for _, _, year_end in rows))

    def is_open(self, day):
        if day.weekday() >= 5:
            return False
        return day > self.until or any(start <= day <= end for start, end in self.terms)

    def on_or_after(self, day):
        while not self.is_open(day):
            day += timedelta(days=1)
        return day

    def add(self, day, school_days):
        for _ in range(school_days):
            day = self.on_or_after(day + timedelta(days=1))
        return day


def default_dates(opens_on, closes_on=None, *, school_days=None):
    """Stage dates for a window opening on `opens_on`: weeks 0, 1, 2, 3, 6, closing at week 7.

    Verification never starts before the input window has closed: it moves to the day after
    `closes_on` when the window is longer than a week, and health check and actions follow it.
    Given the school's `SchoolDays`, a week is five school days and every stage falls on a day the
    school is open (never a weekend or a holiday); without it, calendar weeks.
    """
    if school_days is not None:
        return _school_day_dates(opens_on, closes_on, school_days)
    week = timedelta(weeks=1)
    verification = opens_on + DEFAULT_WEEKS[Stage.VERIFICATION] * week
    if closes_on is not None:
        verification = max(verification, closes_on + timedelta(days=1))
    evaluation = max(opens_on + DEFAULT_WEEKS[Stage.EVALUATION] * week, verification + 3 * week)
    return {
        "input_on": opens_on,
        "verification_on": verification,
        "health_check_on": verification + week,
        "actions_on": verification + 2 * week,
        "evaluation_on": evaluation,
        "closes_on": evaluation + week,
    }


def _school_day_dates(opens_on, closes_on, days):
    def weeks(day, n):
        return days.add(day, 5 * n)

    start = days.on_or_after(opens_on)
    verification = weeks(start, DEFAULT_WEEKS[Stage.VERIFICATION])
    if closes_on is not None:
        verification = max(verification, days.add(closes_on, 1))
    evaluation = max(weeks(start, DEFAULT_WEEKS[Stage.EVALUATION]), weeks(verification, 3))
    return {
        "input_on": start,
        "verification_on": verification,
        "health_check_on": weeks(verification, 1),
        "actions_on": weeks(verification, 2),
        "evaluation_on": evaluation,
        "closes_on": weeks(evaluation, 1),
    }


@transaction.atomic
def cycle_create(*, school, academic_year, name, points, by=None, dates=None):
    """A planned cycle for `points` (one data uplift), with default stage dates unless given."""
    points = list(points)
    if not points:
        raise DomainError("no_points", "A cycle needs at least one assessment point.")
    dates = dates or default_dates(
        min(p.opens_on for p in points),
        max(p.closes_on for p in points),
        school_days=SchoolDays.for_school(school),
    )
    cycle = TrackingCycle.objects.create(school=school, academic_year=academic_year, name=name, **dates)
    cycle.points.set(points)
    if by is not None:
        audit.record(action="tracking.cycle.created", obj=cycle, by=by, after={"name": name})
    return cycle


def cycles_generate_for_year(*, academic_year, by=None):
    """One cycle per half term's uplift for every point of the year not yet in a cycle."""
    taken = TrackingCycle.points.through.objects.filter(trackingcycle__academic_year=academic_year)
    points = (
        AssessmentPoint.objects.filter(academic_year=academic_year)
        .exclude(pk__in=taken.values("assessmentpoint_id"))
        .select_related("half_term")
    )
    groups = {}
    for point in points:
        key = point.half_term.name if point.half_term_id else point.opens_on.isoformat()
        groups.setdefault(key, []).append(point)
    return [
        cycle_create(
            school=academic_year.school,
            academic_year=academic_year,
            name=f"{key} data uplift",
            points=members,
            by=by,
        )
        for key, members in sorted(groups.items(), key=lambda kv: min(p.opens_on for p in kv[1]))
    ]


# -- side effects --------------------------------------------------------------------------------
# Each is safe to run again: flags are set, not toggled; emails are ledgered per recipient;
# health checks are regenerated in place.


def _open_window(cycle, now):
    AssessmentPoint.objects.filter(cycles=cycle).update(is_locked=False)
    safe_enqueue(send_cycle_emails, cycle.pk, Stage.INPUT.value)


def _lock_window(cycle, now):
    AssessmentPoint.objects.filter(cycles=cycle).update(is_locked=True)
    safe_enqueue(send_cycle_emails, cycle.pk, Stage.VERIFICATION.value)


def _health_checks(cycle, now):
    health_checks_generate(cycle=cycle, now=now)
    safe_enqueue(send_cycle_emails, cycle.pk, Stage.HEALTH_CHECK.value)


SIDE_EFFECTS = {
    Stage.INPUT: _open_window,
    Stage.VERIFICATION: _lock_window,
    Stage.HEALTH_CHECK: _health_checks,
}


# -- the state machine ---------------------------------------------------------------------------


def cycle_enter_stage(*, cycle_id, stage, now=None, by=None, via="scheduler", note="", respect_hold=True):
    """Move a cycle into `stage` if it stands at the stage before. Returns the transition, or None
    when the cycle is already there or beyond (a repeat is a no-op). Raises CycleHeld or
    EarlierStagePending (both scheduler.Deferred) when the move must wait."""
    now = now or timezone.now()
    stage = Stage(stage)
    target = STAGE_ORDER.index(stage)
    with transaction.atomic():
        cycle = TrackingCycle.objects.select_for_update().get(pk=cycle_id)
        if cycle.stage_index >= target:
            return None
        if cycle.stage_index < target - 1:
            raise EarlierStagePending(f"{cycle} is at {cycle.stage}, not ready for {stage}")
        if respect_hold and cycle.is_held:
            raise CycleHeld(f"{cycle} is held")
        transition = CycleTransition.objects.create(
            cycle=cycle,
            from_stage=cycle.stage,
            to_stage=stage,
            at=now,
            by=by if by is not None and by.is_authenticated else None,
            via=via,
            note=note[:300],
        )
        cycle.stage = stage
        cycle.save(update_fields=["stage", "updated_at"])
        effect = SIDE_EFFECTS.get(stage)
        if effect is not None:
            effect(cycle, now)
        cycle_stage_entered.send(sender=TrackingCycle, cycle=cycle, stage=stage.value)
        audit.record(
            action="tracking.cycle.stage_entered",
            obj=cycle,
            by=by,
            via=via,
            before={"stage": transition.from_stage},
            after={"stage": stage.value},
            note=note,
        )
    return transition


def cycle_events(now, *, cycles=None, by=None, via="scheduler", note="", record_at=None):
    """The scheduler's event source for tracking cycles: every dated stage not yet entered."""
    if cycles is None:
        cycles = TrackingCycle.objects.exclude(stage=Stage.CLOSED).filter(is_held=False)
    events = []
    for cycle in cycles:
        for stage in DATED_STAGES[cycle.stage_index :]:
            if stage == cycle.stage:
                continue
            events.append(
                scheduler.Event(
                    key=f"cycle:{cycle.pk}:{stage.value}",
                    due_at=due_at(cycle, stage),
                    order=STAGE_ORDER.index(stage),
                    run=partial(
                        _scheduled_entry, cycle.pk, stage, by=by, via=via, note=note, record_at=record_at
                    ),
                )
            )
    return events


def _scheduled_entry(cycle_id, stage, now, *, by, via, note, record_at=None):
    # A fast-forward judges what is due by its pretend clock but records the real time.
    now = record_at or now
    transition = cycle_enter_stage(cycle_id=cycle_id, stage=stage, now=now, by=by, via=via, note=note)
    return "entered" if transition else "already past this stage"


def next_due(cycle):
    """(stage, due datetime) of the cycle's next transition, or (None, None) once closed."""
    stage = cycle.next_stage
    return (stage, due_at(cycle, stage)) if stage else (None, None)


# -- what the data manager does by hand ----------------------------------------------------------


def cycle_advance(*, cycle, by, now=None, note=""):
    """Enter the next stage now, whatever its date (held cycles too: the data manager decides)."""
    cycle.refresh_from_db(fields=["stage", "is_held"])
    stage = cycle.next_stage
    if stage is None:
        raise DomainError("closed", "This cycle is closed; there is no next stage.")
    transition = cycle_enter_stage(
        cycle_id=cycle.pk, stage=stage, now=now, by=by, via="manual", note=note, respect_hold=False
    )
    if transition is None:
        raise DomainError("moved", "The cycle has already moved on; reload the page.")
    return transition


def cycle_fast_forward(*, cycle, by, now=None):
    """For demonstrations: run due transitions as if the clock stood at the next stage's date."""
    stage, when = next_due(cycle)
    if stage is None:
        raise DomainError("closed", "This cycle is closed; there is nothing to fast-forward.")
    if cycle.is_held:
        raise DomainError("held", "Release the cycle before fast-forwarding it.")
    real_now = now or timezone.now()
    clock = max(when, real_now)
    note = f"fast-forward for demonstration: clock set to {timezone.localtime(clock):%d %b %Y %H:%M}"
    events = cycle_events(clock, cycles=[cycle], by=by, via="fast-forward", note=note, record_at=real_now)
    ran = scheduler.run_due(clock, sources=[lambda _now: events])
    audit.record(action="tracking.cycle.fast_forwarded", obj=cycle, by=by, after={"ran": ran}, note=note)
    return ran


@transaction.atomic
def cycle_hold(*, cycle, by, reason=""):
    cycle = TrackingCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.stage == Stage.CLOSED:
        raise DomainError("closed", "A closed cycle cannot be held.")
    cycle.is_held, cycle.held_reason = True, reason[:200]
    cycle.save(update_fields=["is_held", "held_reason", "updated_at"])
    audit.record(action="tracking.cycle.held", obj=cycle, by=by, after={"reason": reason})
    return cycle


@transaction.atomic
def cycle_release(*, cycle, by):
    cycle = TrackingCycle.objects.select_for_update().get(pk=cycle.pk)
    cycle.is_held, cycle.held_reason = False, ""
    cycle.save(update_fields=["is_held", "held_reason", "updated_at"])
    audit.record(action="tracking.cycle.released", obj=cycle, by=by)
    return cycle


# -- the calendar: a cycle's stage dates ----------------------------------------------------------

# The form field for each dated stage, in the order the stages come.
DATE_FIELDS = {
    Stage.INPUT: "input_on",
    Stage.VERIFICATION: "verification_on",
    Stage.HEALTH_CHECK: "health_check_on",
    Stage.ACTIONS: "actions_on",
    Stage.EVALUATION: "evaluation_on",
    Stage.CLOSED: "closes_on",
}


class CycleDatesInvalid(DomainError):
    """Stage dates that cannot stand; `errors` maps each date field to what is wrong with it."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("invalid_dates", " ".join(errors.values()))


def stage_has_happened(cycle, stage):
    return STAGE_ORDER.index(stage) <= cycle.stage_index


def cycle_dates_errors(cycle, dates, *, today=None):
    """What is wrong with `dates` (field -> date) as `cycle`'s new stage dates: field -> message.

    Every stage needs a date, each after the one before; a stage the cycle has already entered
    keeps its date; a stage still to come may not be moved into the past (advance the cycle instead).
    """
    today = today or timezone.localdate()
    errors = {}
    previous = None
    for stage, field in DATE_FIELDS.items():
        new, old = dates.get(field), cycle.date_for(stage)
        if new is None:
            errors[field] = f"Give the date the {stage.label.lower()} stage starts."
            continue
        if stage_has_happened(cycle, stage) and new != old:
            errors[field] = (
                f"The {stage.label.lower()} stage already happened on {old:%-d %b %Y}; its date cannot move."
            )
        elif new != old and new < today:
            errors[field] = (
                f"{new:%-d %b %Y} is in the past. Choose today or later, or advance the cycle by hand."
            )
        elif previous is not None and new <= previous[1]:
            errors[field] = (
                f"{stage.label} must come after {previous[0].label.lower()} ({previous[1]:%-d %b %Y})."
            )
        previous = (stage, new)
    return errors


@transaction.atomic
def cycle_dates_change(*, cycle, dates, by, today=None):
    """Set a cycle's stage dates (the calendar for its school year). Returns the changed fields.

    Validated against the cycle as it stands under a row lock, so a scheduler tick that moves the
    cycle meanwhile cannot let a stage that has happened be moved. Audited with before/after dates.
    """
    cycle = TrackingCycle.objects.select_for_update().get(pk=cycle.pk)
    errors = cycle_dates_errors(cycle, dates, today=today)
    if errors:
        raise CycleDatesInvalid(errors)
    changed = [f for f in DATE_FIELDS.values() if getattr(cycle, f) != dates[f]]
    if not changed:
        return []
    before = {f: getattr(cycle, f).isoformat() for f in changed}
    for field in changed:
        setattr(cycle, field, dates[field])
    cycle.save(update_fields=[*changed, "updated_at"])
    audit.record(
        action="tracking.cycle.dates_changed",
        obj=cycle,
        by=by,
        before=before,
        after={f: dates[f].isoformat() for f in changed},
    )
    return changed
