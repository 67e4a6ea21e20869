"""Warnings a plan or a pupil's page shows, so nobody is overwhelmed or summoned three times.

- more than one level-3 plan for a pupil;
- several departments (or roles) inviting the same parents in within two weeks (Laude);
- more sessions in a week than the school's limit (DfES guide: not too many programmes at once).
Each function takes many pupils and answers in a fixed number of queries.
"""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count

from .models import Plan, PlanStatus, Tier

INVITE_WINDOW = timedelta(days=14)


def level3_counts(pupil_ids):
    rows = (
        Plan.objects.filter(pupil_id__in=pupil_ids, status=PlanStatus.ACTIVE, level=3)
        .values("pupil_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["pupil_id"]: row["n"] for row in rows}


def _who(plan):
    """Who is inviting: a department for its plans, else the role (KS coordinator, form tutor)."""
    return plan["department__name"] if plan["tier"] == Tier.DEPARTMENT else dict(Tier.choices)[plan["tier"]]


def parent_invite_clashes(pupil_ids):
    """{pupil id: [(who, date), ...]} where two or more inviters fall within two weeks of each other."""
    rows = Plan.objects.filter(pupil_id__in=pupil_ids, parent_tutorial_on__isnull=False).values(
        "pupil_id", "tier", "department__name", "parent_tutorial_on"
    )
    by_pupil = defaultdict(list)
    for row in rows:
        by_pupil[row["pupil_id"]].append((_who(row), row["parent_tutorial_on"]))
    clashes = {}
    for pupil_id, invites in by_pupil.items():
        invites.sort(key=lambda i: i[1])
        close = set()
        for i, (who, day) in enumerate(invites):
            for other_who, other_day in invites[i + 1 :]:
                if other_day - day > INVITE_WINDOW:
                    break
                if other_who != who:
                    close |= {(who, day), (other_who, other_day)}
        if close:
            clashes[pupil_id] = sorted(close, key=lambda i: i[1])
    return clashes


def session_overloads(pupil_ids, school):
    """{pupil id: [(week start, sessions)]} for weeks with more sessions than the school's limit."""
    from ..sessions.queries import sessions_per_week, weekly_limit

    limit = weekly_limit(school)
    over = defaultdict(list)
    for (pupil_id, week), n in sessions_per_week(pupil_ids).items():
        if n > limit:
            over[pupil_id].append((week, n))
    return dict(over), limit


def for_pupils(pupil_ids, school):
    """{pupil id: [message, ...]} for every pupil with something to warn about."""
    messages = defaultdict(list)
    for pupil_id, n in level3_counts(pupil_ids).items():
        if n > 1:
            messages[pupil_id].append(f"{n} level-3 plans at once: agree one lead and merge the plans.")
    for pupil_id, invites in parent_invite_clashes(pupil_ids).items():
        listed = "; ".join(f"{who} on {day:%-d %b}" for who, day in invites)
        messages[pupil_id].append(
            f"Parents invited in by several departments within two weeks ({listed}): hold one meeting."
        )
    overloads, limit = session_overloads(pupil_ids, school)
    for pupil_id, weeks in overloads.items():
        for week, n in weeks:
            messages[pupil_id].append(
                f"{n} sessions in the week of {week:%-d %b}: more than the school's limit of {limit}."
            )
    return dict(messages)


def for_pupil(pupil):
    return for_pupils([pupil.pk], pupil.school).get(pupil.pk, [])
