"""What an assessment point collects and when its marksheets are open (dates, locks, reopens)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import ExpressionWrapper, F, IntegerField, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from tracking.models import (
    AssessmentPoint,
    SheetReopen,
)

FIELDS = ("current", "predicted", "security", "effort", "comment")
GRADE_FIELDS = ("current", "predicted")
LABELS = {
    "current": "Current",
    "predicted": "Predicted",
    "security": "Security",
    "effort": "Effort",
    "comment": "Comment",
}
SECURITY = {"H": "H", "HIGH": "H", "M": "M", "MID": "M", "MIDDLE": "M", "MED": "M", "L": "L", "LOW": "L"}
EFFORT = ("1", "2", "3", "4")
COMMENT_MAX = 500
HISTORY_POINTS = 3

NOT_STARTED, IN_PROGRESS, COMPLETE = "not_started", "in_progress", "complete"
STATUS_LABELS = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", COMPLETE: "Complete"}


def collected(point):
    return [name for name in FIELDS if getattr(point, f"collects_{name}")]


# -- windows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    is_open: bool
    message: str
    reopened_until: date | None = None
    state: str = "open"  # open | reopened | locked | future | closed


def active_reopens(point, group, today=None):
    today = today or timezone.localdate()
    return list(
        SheetReopen.objects.filter(point=point, until__gte=today)
        .filter(Q(teaching_group=group) | Q(teaching_group__isnull=True))
        .order_by("-until")
    )


def window_for(point, reopens=(), today=None):
    """Whether teachers may enter grades at a point today (a reopen overrides the dates and the lock)."""
    today = today or timezone.localdate()
    live = [r for r in reopens if r.until >= today]
    if live:
        until = max(r.until for r in live)
        return Window(True, f"Reopened by the data manager until {until:%-d %B %Y}.", until, "reopened")
    if point.is_locked:
        return Window(False, "This point is locked for verification: the sheet is read-only.", state="locked")
    if today < point.opens_on:
        return Window(False, f"This sheet opens on {point.opens_on:%-d %B %Y}.", state="future")
    if today > point.closes_on:
        return Window(
            False,
            f"This sheet closed on {point.closes_on:%-d %B %Y} and is read-only. "
            "Ask the data manager to reopen it if grades need changing.",
            state="closed",
        )
    return Window(True, f"Open until {point.closes_on:%-d %B %Y}.")


# -- reading a sheet -----------------------------------------------------------------------------


def points_for_group(group):
    return AssessmentPoint.objects.filter(
        school_id=group.school_id, academic_year_id=group.academic_year_id, year_group_id=group.year_group_id
    )


def history_points(point, limit=HISTORY_POINTS):
    """The last few points this cohort had before `point`, across academic years (Y10 then Y11)."""
    cohort = ExpressionWrapper(
        F("year_group__number") - ExtractYear("academic_year__starts_on"), output_field=IntegerField()
    )
    this_cohort = point.year_group.number - point.academic_year.starts_on.year
    earlier = Q(academic_year__starts_on__lt=point.academic_year.starts_on) | Q(
        academic_year_id=point.academic_year_id, sequence__lt=point.sequence
    )
    points = (
        AssessmentPoint.objects.filter(school_id=point.school_id)
        .select_related("year_group")
        .annotate(cohort=cohort)
        .filter(earlier, cohort=this_cohort)
        .order_by("-academic_year__starts_on", "-sequence")[:limit]
    )
    return list(reversed(points))
