"""Reads for sessions: weeks, timetables, registers, follow-up and rewards, joins in one place."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek

from .models import Allocation, AllocationStatus, Attendance, Session, SessionSettings

DEFAULT_LIMIT = 3


def monday_of(day):
    return day - timedelta(days=day.weekday())


def parse_week(value, today):
    """The Monday of ?week=YYYY-MM-DD, or this week's; a bad value is this week, never a 500."""
    try:
        return monday_of(date.fromisoformat(value)) if value else monday_of(today)
    except (TypeError, ValueError):
        return monday_of(today)


def settings_for(school):
    found = SessionSettings.objects.filter(school=school).first()
    return found or SessionSettings(school=school)


def weekly_limit(school):
    return settings_for(school).weekly_limit


def sessions_per_week(pupil_ids, weeks=None):
    """{(pupil id, week Monday): sessions} counting proposed and confirmed places."""
    qs = Allocation.objects.filter(pupil_id__in=pupil_ids)
    if weeks is not None:
        qs = qs.filter(session__date__gte=min(weeks), session__date__lt=max(weeks) + timedelta(days=7))
    rows = (
        qs.annotate(week=TruncWeek("session__date"))
        .values("pupil_id", "week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out = {}
    for row in rows:
        week = row["week"]
        week = week.date() if isinstance(week, datetime) else week
        out[(row["pupil_id"], week)] = row["n"]
    return out


def week_sessions(school, week_start):
    return Session.objects.filter(
        school=school, date__gte=week_start, date__lt=week_start + timedelta(days=7)
    ).select_related("subject", "leader__user")


def timetable_rows(pupils, week_start, *, confirmed_only=True):
    """{pupil id: [Allocation, ...]} for the week, in time order."""
    qs = Allocation.objects.filter(
        pupil__in=pupils, session__date__gte=week_start, session__date__lt=week_start + timedelta(days=7)
    )
    if confirmed_only:
        qs = qs.filter(status=AllocationStatus.CONFIRMED)
    out = defaultdict(list)
    for allocation in qs.select_related("session__subject", "session__leader__user").order_by(
        "session__date", "session__starts_at"
    ):
        out[allocation.pupil_id].append(allocation)
    return out


def register_rows(session):
    return list(
        session.allocations.filter(status=AllocationStatus.CONFIRMED)
        .select_related("pupil__form", "pupil__year_group")
        .order_by("pupil__legal_last_name", "pupil__legal_first_name")
    )


def follow_ups(pupils, *, open_only=True):
    """Absences from confirmed sessions, for SLT and mentors to follow up."""
    qs = Allocation.objects.filter(
        pupil__in=pupils, attendance=Attendance.ABSENT, status=AllocationStatus.CONFIRMED
    )
    if open_only:
        qs = qs.filter(followed_up_at__isnull=True)
    return qs.select_related(
        "pupil__form", "pupil__year_group", "session__subject", "followed_up_by"
    ).order_by("-session__date", "pupil__legal_last_name")


def reward_points(pupil_ids):
    rows = (
        Allocation.objects.filter(pupil_id__in=pupil_ids)
        .values("pupil_id")
        .annotate(points=Sum("points"), attended=Count("pk", filter=Q(attendance__in=["present", "late"])))
        .order_by()
    )
    return {row["pupil_id"]: (row["points"] or 0, row["attended"]) for row in rows}


def reward_for(pupil):
    settings = settings_for(pupil.school)
    points, attended = reward_points([pupil.pk]).get(pupil.pk, (0, 0))
    goal = settings.reward_goal_points or 1
    return {
        "goal": settings.reward_goal,
        "goal_points": settings.reward_goal_points,
        "points": points,
        "attended": attended,
        "percent": min(100, round(100 * points / goal)),
    }
