"""Tracking cycles for the demo school: the current uplift open for input, earlier ones of the year
where their dates put them (transitions recorded as the scheduler would have made them), later ones
planned."""

from datetime import timedelta

from tracking.cycle.health import health_checks_generate
from tracking.cycle.services import DATED_STAGES, cycle_create, due_at
from tracking.cycle.verification import grades_verify
from tracking.marksheets.services import reopen_request_create
from tracking.models import (
    STAGE_ORDER,
    CycleTransition,
    DepartmentSignOff,
    GradeEntry,
    Role,
    ScheduledEventRun,
    SignOffStatus,
    StaffRole,
    Stage,
    TeachingGroup,
)


def build_cycles(built, points, today):
    year = next(y for y in built.years if y.is_current)
    now = built.now
    current = [p for p in points if p.academic_year_id == year.pk and not p.is_locked and p.opens_on <= today]
    current_ids = {p.pk for p in current}
    by_half = {}
    for point in points:
        if point.academic_year_id == year.pk and point.pk not in current_ids:
            by_half.setdefault(point.half_term.number, []).append(point)
    current_ht = max(p.half_term.number for p in current) if current else 0
    cycles = []
    # Last year's uplifts, long closed, so the calendar has an earlier year to look back on.
    last = next(
        (
            y
            for y in built.years
            if y.starts_on < year.starts_on and y.starts_on.year == year.starts_on.year - 1
        ),
        None,
    )
    if last is not None:
        earlier = {}
        for point in points:
            if point.academic_year_id == last.pk:
                earlier.setdefault(point.half_term.number, []).append(point)
        for _number, members in sorted(earlier.items()):
            name = f"{members[0].half_term.name} data uplift"
            cycles.append(cycle_create(school=built.school, academic_year=last, name=name, points=members))
    for number, members in sorted(by_half.items()):
        if number == current_ht:
            continue
        name = f"{members[0].half_term.name} data uplift"
        cycles.append(cycle_create(school=built.school, academic_year=year, name=name, points=members))
    if current:
        name = f"{current[0].half_term.name} data uplift" if current_ht else "Current data uplift"
        cycles.append(cycle_create(school=built.school, academic_year=year, name=name, points=current))
    transitions, ledger = [], []
    for cycle in cycles:
        is_current = cycle.points.filter(pk__in=current_ids).exists()
        reached = Stage.PLANNED
        for stage in DATED_STAGES:
            if (is_current and stage != Stage.INPUT) or due_at(cycle, stage) > now:
                break
            transitions.append(
                CycleTransition(
                    cycle=cycle,
                    from_stage=reached,
                    to_stage=stage,
                    at=due_at(cycle, stage),
                    via="scheduler",
                )
            )
            ledger.append(
                ScheduledEventRun(
                    key=f"cycle:{cycle.pk}:{stage.value}",
                    due_at=due_at(cycle, stage),
                    ran_at=due_at(cycle, stage),
                    note="demo history",
                )
            )
            reached = stage
        if is_current and reached == Stage.PLANNED:
            reached = Stage.INPUT
        cycle.stage = reached
        cycle.save(update_fields=["stage"])
        if STAGE_ORDER.index(reached) >= STAGE_ORDER.index(Stage.HEALTH_CHECK):
            verified_at = due_at(cycle, Stage.HEALTH_CHECK)
            grades_verify(
                entries=GradeEntry.objects.filter(point__in=cycle.points.all()),
                by=None,
                via="demo history",
                now=verified_at,
            )
            health_checks_generate(cycle=cycle, now=verified_at)
            _sign_offs(built, cycle)
    CycleTransition.objects.bulk_create(transitions)
    ScheduledEventRun.objects.bulk_create(ledger)
    _reopen_request_waiting(built, points, now)
    built.cycles = cycles
    built.counts["cycles"] = len(cycles)
    return cycles


def _sign_offs(built, cycle):
    """Earlier cycles were verified: each head of department, then the assistant head (slt)."""
    heads = StaffRole.objects.filter(
        staff__school=built.school, role=Role.HEAD_OF_DEPARTMENT, department__isnull=False
    ).select_related("staff__user", "department")
    slt = built.staff["slt"].user
    when = due_at(cycle, Stage.VERIFICATION)
    rows = []
    for head in heads:
        for by, is_slt, hours in ((head.staff.user, False, 26), (slt, True, 50)):
            rows.append(
                DepartmentSignOff(
                    cycle=cycle,
                    department=head.department,
                    status=SignOffStatus.VERIFIED,
                    by=by,
                    by_slt=is_slt,
                    at=when + timedelta(hours=hours),
                )
            )
    DepartmentSignOff.objects.bulk_create(rows)


REOPEN_REASON = (
    "Two pupils' moderated coursework marks came back after the sheet was verified: their current "
    "grades need correcting."
)


def _reopen_request_waiting(built, points, now):
    """`teacher.maths` has asked to reopen a verified sheet from earlier this year, so the data manager's
    decisions waiting hold one on a fresh demo (a small demo with no locked point this year has none)."""
    year = next(y for y in built.years if y.is_current)
    teacher = built.staff["teacher.maths"]
    locked = {}
    for point in points:
        if point.academic_year_id == year.pk and point.is_locked:
            best = locked.get(point.year_group_id)
            if best is None or point.closes_on > best.closes_on:
                locked[point.year_group_id] = point
    group = (
        TeachingGroup.objects.filter(teachers=teacher, academic_year=year, year_group_id__in=locked)
        .order_by("year_group__number", "name")
        .first()
    )
    if group is not None:
        reopen_request_create(
            point=locked[group.year_group_id],
            group=group,
            reason=REOPEN_REASON,
            by=teacher.user,
            now=now - timedelta(hours=20),
        )
        built.counts["reopen_requests_waiting"] = 1
