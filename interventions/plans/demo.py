"""Demo plans: flags from the latest point become plans at all three levels, a KS4 target group, and
one pupil whose parents two departments invite within a fortnight (so the warning shows)."""

from datetime import timedelta

from django.utils import timezone

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


def add_demo_plans(built):
    school = built.school
    today = built.today
    flags = list(
        Flag.objects.filter(school=school, point__academic_year=built.current_year, owner__isnull=False)
        .select_related("pupil__form", "pupil__year_group", "owner__user", "subject", "point")
        .order_by("-level", "pupil__legal_last_name", "pk")
    )
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
            point=chosen[0].point, now=timezone.now(),
        )  # fmt: skip
    built.counts["plans"] = len(chosen)
