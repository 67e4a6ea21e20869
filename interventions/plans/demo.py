"""Demo plans: flags from the latest point become plans at all three levels, a KS4 target group, and
one pupil whose parents two departments invite within a fortnight (so the warning shows)."""

from datetime import timedelta

from interventions.services import flag_raise
from tracking.models import Pupil

from ..models import Flag, Scope
from . import services
from .models import Plan, Tier

PER_TIER = 14


def _second_department_plan(school, flags, planned, today):
    """A pupil with a maths plan who is also flagged in another department: plan that too."""
    plans = {
        p.pupil_id: p
        for p in Plan.objects.filter(school=school, tier=Tier.DEPARTMENT).select_related("owner__user")
    }
    for flag in flags:
        first = plans.get(flag.pupil_id)
        if first and flag.scope == Scope.SUBJECT and flag.subject.department_id != first.department_id:
            second, _ = services.plan_from_flag(flag=flag, by=flag.owner.user, today=today)
            return [first, second]
    return None


TUTOR_CONCERNS = (
    (1, "Homework missing in several subjects this half term; planner checked weekly in tutor time."),
    (2, "Attendance and punctuality slipping, and behind in several subjects; parents to be invited in."),
)


def _tutor_concerns(built, flags):
    """Some schools' rules (Longfield's) give form tutors no flags of their own. Tutors then flag a pupil
    the data has not caught yet but whom they fear will slip, and the tutor's plan (Laude's Appendix 4)
    answers it."""
    if any(flag.scope == Scope.FORM_TUTOR for flag in flags):
        return
    flagged = {flag.pupil_id for flag in flags}
    points = {flag.pupil.year_group_id: flag.point for flag in flags}
    pupils = (
        Pupil.objects.filter(school=built.school, year_group_id__in=points, form__tutors__isnull=False)
        .exclude(pk__in=flagged)
        .select_related("form", "year_group")
        .distinct()
        .order_by("form__name", "legal_last_name", "pk")
    )
    for i, pupil in enumerate(pupils[: 2 * len(TUTOR_CONCERNS)]):
        level, reason = TUTOR_CONCERNS[i % len(TUTOR_CONCERNS)]
        tutor = pupil.form.tutors.select_related("user").first()
        flag_raise(
            pupil=pupil,
            scope=Scope.FORM_TUTOR,
            level=level,
            reason=reason,
            by=tutor.user,
            point=points[pupil.year_group_id],
        )


def _flags(built):
    return list(
        Flag.objects.filter(school=built.school, point__academic_year=built.current_year, owner__isnull=False)
        .select_related("pupil__form", "pupil__year_group", "owner__user", "subject", "point")
        .order_by("-level", "pupil__legal_last_name", "pk")
    )


def add_demo_plans(built):
    school = built.school
    today = built.today
    _tutor_concerns(built, _flags(built))
    flags = _flags(built)
    chosen, counts = [], {Scope.SUBJECT: 0, Scope.KEY_STAGE: 0, Scope.FORM_TUTOR: 0}
    levels = {scope: set() for scope in counts}
    family_child = built.family["parent"][0]
    planned = set()  # one plan a pupil, so the demo's warnings are the ones it means to show
    for flag in flags:
        if flag.pupil_id in planned:
            continue
        special = (flag.pupil.form and flag.pupil.form.name == "11A") or flag.pupil_id == family_child.pk
        wants_level = flag.level not in levels[flag.scope]
        if special or wants_level or counts[flag.scope] < PER_TIER:
            planned.add(flag.pupil_id)
            chosen.append(flag)
            counts[flag.scope] += 1
            levels[flag.scope].add(flag.level)
    for flag in chosen:
        services.plan_from_flag(flag=flag, by=flag.owner.user, today=today)
    # Two departments inviting one family within two weeks: the warning Laude asks for.
    pair = _second_department_plan(school, flags, planned, today)
    if pair:
        for offset, plan in enumerate(pair[:2]):
            services.plan_update(
                plan=plan,
                by=plan.owner.user,
                level=max(plan.level, 2),
                parent_tutorial_on=today + timedelta(days=3 + 5 * offset),
                parents_informed_on=today,
                parents_informed_how="email",
            )
    report = Plan.objects.filter(school=school, tier=Tier.KEY_STAGE, level=3).first()
    if report is not None:
        services.plan_update(plan=report, by=report.owner.user, on_report_from=today - timedelta(days=7),
                             on_report_until=today + timedelta(days=14))  # fmt: skip
    ks4 = [f.pupil for f in chosen if f.scope == Scope.KEY_STAGE and f.pupil.year_group.key_stage == 4][:8]
    coordinator = next((f.owner.user for f in chosen if f.scope == Scope.KEY_STAGE), None)
    if ks4 and coordinator is not None:
        services.target_group_create(
            school=school, key_stage=4, name="Borderline 4/5", pupils=ks4, by=coordinator,
            point=chosen[0].point, now=built.now,
        )  # fmt: skip
    built.counts["plans"] = len(chosen)
