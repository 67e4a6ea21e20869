"""Demo history, so SLT see impact against similar pupils on a fresh demo.

The demo is built on whatever day it is run: early in the autumn term no point of this year is locked
after the plans the demo starts today, so there would be nothing to measure. Last year is history with
every point locked, so the demo starts interventions there, as a school would have:

- plans from last year's first point for the pupils furthest below in English and maths, ended in July;
- plans from last year's last point (the summer) that carry on into this year and are reviewed at this
  year's latest locked point: measured across the two years (Year 10's summer to Year 11's autumn);
- six weeks of English, maths and science sessions last spring for the pupils furthest below then.

Everything goes through the services (flags, plans, reviews, allocation, registers), dated then.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from tracking.models import AssessmentPoint, Pupil, Subject

from .. import grades, services
from ..models import Flag, FlagStatus, Scope
from ..plans.models import Decision, Plan
from ..plans.services import plan_from_flag, plan_review, plan_update
from ..sessions.demo import add_requests, add_sessions, take_registers
from ..sessions.queries import monday_of
from ..sessions.services import allocation_confirm, allocation_propose

PLANS_PER_SUBJECT = 4  # per cohort, subject and kind of plan
SESSION_PUPILS = 10  # per cohort and subject
SESSION_WEEKS = 6
PLAN_SUBJECTS = ("maths", "english_language")
SESSION_SUBJECTS = ("maths", "english_language", "combined_science")


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(16, 0)))


def _subjects(school, categories):
    found = {}
    for subject in Subject.objects.filter(school=school, category__in=categories).order_by("pk"):
        found.setdefault(subject.category, subject)
    return [found[c] for c in categories if c in found]


def _most_below(school, pupils, point, subjects, skip):
    """{subject: [pupils]} below the grade expected now at `point`, furthest below first."""
    by_id = {p.pk: p for p in pupils}
    found = grades.standings(list(by_id), subject_ids=[s.pk for s in subjects], point=point, school=school)
    out = {s: [] for s in subjects}
    subject_of = {s.pk: s for s in subjects}
    for (pupil_id, subject_id), standing in sorted(found.items(), key=lambda kv: (kv[1].gap or 0, kv[0])):
        if standing.is_below and pupil_id not in skip:
            out[subject_of[subject_id]].append((by_id[pupil_id], standing))
    return out


def _picks(below, used, n=PLANS_PER_SUBJECT):
    """Half the furthest below (level 2 plans), half of those just below (level 1): both levels show.
    One plan a pupil."""
    below = [row for row in below if row[0].pk not in used]
    just = [row for row in below if row[1].gap == -1]
    chosen = below[: n // 2]
    return chosen + [row for row in just if row not in chosen][: n - len(chosen)]


def _plan(pupil, subject, standing, point, *, started):
    """A department plan from a flag raised at `point`, as its head of department would have made it:
    the rules' flag where they caught the pupil (one flag per owner level), else one raised by hand."""
    level = 2 if (standing.gap or 0) <= -2 else 1
    flag = Flag.objects.filter(pupil=pupil, point=point, subject=subject, scope=Scope.SUBJECT).first()
    if flag is not None and flag.level != level and flag.owner is not None:
        flag = services.flag_level_set(flag=flag, level=level, by=flag.owner.user)
    if flag is None:
        reason = (
            f"Below expected now in {subject.name} at {point.name} "
            f"({standing.grade}; expected now {standing.expected}, target {standing.target})"
        )
        flag = services.flag_raise(
            pupil=pupil, scope=Scope.SUBJECT, level=level, reason=reason, by=None, subject=subject,
            point=point, now=_at(started - timedelta(days=2)),
        )  # fmt: skip
    by = flag.owner.user if flag.owner else None
    plan, _ = plan_from_flag(flag=flag, by=by, today=started, now=_at(started))
    return flag, plan


def _plans_last_year(built, cohorts, subjects, used):
    """Last autumn's plans, ended in July (the flags closed with them)."""
    made = []
    for pupils, points, _ in cohorts:
        first, ended = points[0], points[-1].closes_on
        below = _most_below(built.school, pupils, first, subjects, used)
        for subject in subjects:
            for pupil, standing in _picks(below[subject], used):
                used.add(pupil.pk)
                flag, plan = _plan(
                    pupil, subject, standing, first, started=first.closes_on + timedelta(days=5)
                )
                plan_update(plan=plan, by=plan.created_by, finished_on=ended)
                services.flag_action_record(
                    flag=flag, status=FlagStatus.CLOSED, by=plan.created_by, now=_at(ended),
                    action_text=f"Level {plan.level} plan from {first.name} to the end of the year.",
                )  # fmt: skip
                made.append(plan)
    return made


def _plans_across_years(built, cohorts, subjects, used):
    """Plans from last year's summer point still running this year, reviewed at this year's latest
    locked point (Year 10's summer to Year 11's autumn)."""
    made = []
    for pupils, points, now_locked in cohorts:
        last = points[-1]
        below = _most_below(built.school, pupils, last, subjects, used)
        for subject in subjects:
            for pupil, standing in _picks(below[subject], used):
                used.add(pupil.pk)
                _, plan = _plan(pupil, subject, standing, last, started=last.closes_on + timedelta(days=1))
                if now_locked is not None:
                    plan_review(
                        plan=plan, point=now_locked, decision=Decision.CONTINUE, by=plan.created_by,
                        note="Carried on from last year.", now=_at(now_locked.closes_on + timedelta(days=7)),
                    )  # fmt: skip
                made.append(plan)
    return made


def _sessions_last_spring(built, cohorts):
    """Six weeks of sessions in last year's first spring half term for each cohort's pupils furthest
    below at the point before it, allocated, confirmed and registered as the assistant SENCo did."""
    school = built.school
    subjects = _subjects(school, SESSION_SUBJECTS)
    by_category = {s.category: s for s in subjects}
    year = next(y for y in built.years if y.offset == 1)
    spring = year.half_terms.get(number=3)
    flagged = {s.pk: [] for s in subjects}
    for pupils, points, _ in cohorts:
        before = [p for p in points if p.opens_on <= spring.starts_on]
        if not before:
            continue
        below = _most_below(school, pupils, before[-1], subjects, skip=set())  # plans or not
        for subject in subjects:
            flagged[subject.pk] += [pupil.pk for pupil, _ in below[subject][:SESSION_PUPILS]]
    assistant = built.staff["senco.assistant"].user
    teacher = built.staff["teacher.maths"].user
    first = monday_of(spring.starts_on)
    if first < spring.starts_on:
        first += timedelta(weeks=1)
    for week in range(SESSION_WEEKS):
        monday = first + timedelta(weeks=week)
        add_sessions(built, monday, by_category)
        add_requests(built, monday, by_category, flagged, teacher, _at(monday - timedelta(days=5)))
        allocation_propose(school=school, week_start=monday, by=assistant)
        allocation_confirm(school=school, week_start=monday, by=assistant)
        take_registers(built, monday, built.rng, assistant, None, follow_up=True)


def add_demo_history(built):
    school = built.school
    last_year = next((y for y in built.years if y.offset == 1), None)
    if last_year is None:
        return
    points = list(
        AssessmentPoint.objects.filter(school=school, academic_year__in=[last_year, built.current_year])
        .select_related("year_group", "academic_year", "school")
        .order_by("sequence")
    )
    pupils = list(
        Pupil.objects.filter(school=school, is_active=True)
        .select_related("year_group", "school", "form")
        .order_by("pk")
    )
    already = set(Plan.objects.filter(school=school).values_list("pupil_id", flat=True))
    cohorts, ks4 = [], []
    for number in sorted({p.year_group.number for p in pupils}):
        then = [p for p in points if p.academic_year_id == last_year.pk and p.year_group.number == number - 1]
        now_locked = [
            p for p in points if p.academic_year_id == built.current_year.pk and p.year_group.number == number
        ]
        now_locked = [p for p in now_locked if p.is_locked]
        if len(then) < 2:
            continue
        cohort = (
            [p for p in pupils if p.year_group.number == number],
            then,
            now_locked[-1] if now_locked else None,
        )
        cohorts.append(cohort)
        if number >= 10:
            ks4.append(cohort)
    used = set(already)
    subjects = _subjects(school, PLAN_SUBJECTS)
    ended = _plans_last_year(built, cohorts, subjects, used)
    running = _plans_across_years(built, ks4, subjects, used)
    _sessions_last_spring(built, ks4)
    # Last year's flags measured against the locked point after them, as the cycle did then.
    for point in {plan.start_point for plan in ended + running}:
        services.impact_evaluate(point=point)
    built.counts["history_plans"] = len(ended) + len(running)
