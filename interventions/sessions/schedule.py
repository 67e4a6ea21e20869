"""The Monday timetable issue, as an event source of tracking's one scheduler."""

from datetime import datetime, time
from functools import partial

from django.utils import timezone

from tracking.cycle.scheduler import Event
from tracking.models import School

from . import services
from .queries import monday_of

ISSUE_AT = time(7, 0)


def _issue(school_id, week_start, now):
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        return None
    issue = services.timetable_issue(school=school, week_start=week_start, now=now)
    return f"{issue.places} places in {issue.sessions} sessions"


def event_key(school_id, monday):
    return f"interventions.timetables.{school_id}.{monday.isoformat()}"


def due_at(monday):
    return timezone.make_aware(datetime.combine(monday, ISSUE_AT))


def monday_events(now):
    """One event per school each week: issue the timetables at 07:00 on Monday."""
    monday = monday_of(timezone.localtime(now).date())
    due = timezone.make_aware(datetime.combine(monday, ISSUE_AT))
    return [
        Event(
            key=f"interventions.timetables.{pk}.{monday.isoformat()}",
            due_at=due,
            run=partial(_issue, pk, monday),
        )
        for pk in School.objects.values_list("pk", flat=True)
    ]
