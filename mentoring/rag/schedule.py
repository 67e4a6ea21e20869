"""The scheduler opens each month's Academic RAG on the school's chosen day (closing is its date), and
deletes printed RAG sheets each night once they are older than the school keeps them."""

from datetime import datetime, time

from django.utils import timezone

from tracking.cycle.scheduler import Event
from tracking.models import AcademicYear

from ..models import RagWindow
from . import services, words


def monthly_windows(now):
    """One event per school with a current year and no window yet this month: open it on its day.

    A window opened early by SLT (or by the demo) is the record that the month is done.
    """
    today = timezone.localdate(now)
    month = services.this_month(today)
    opened = set(RagWindow.objects.filter(month=month).values_list("school_id", flat=True))
    events = []
    for year in AcademicYear.objects.filter(
        is_current=True, starts_on__lte=today, ends_on__gte=today
    ).select_related("school"):
        school = year.school
        if school.pk in opened:
            continue
        opens_on, _ = services.default_dates(words.settings_for(school), month)
        due = timezone.make_aware(datetime.combine(opens_on, time(6, 0)))

        def run(now, school=school):
            window = services.rag_window_open(school=school, month=month)
            return f"{window} open {window.opens_on} to {window.closes_on}"

        events.append(Event(key=f"mentoring.rag.open:{school.pk}:{month:%Y-%m}", due_at=due, run=run))
    return events


EXPIRE_AT = time(2, 30)


def _expire(now):
    return f"{services.rag_sheets_expire(now=now)} printed RAG sheet job(s) deleted"


def nightly_sheet_expiry(now):
    """Each night at 02:30: delete printed RAG sheets older than their school keeps them.

    An event of tracking's one scheduler rather than a second beat entry: the ledger runs it once a day
    however many schedulers tick, and a night missed while the worker was down is caught up on the next
    tick (each run deletes everything past its retention, not just one day's)."""
    today = timezone.localdate(now)
    due = timezone.make_aware(datetime.combine(today, EXPIRE_AT))
    return [Event(key=f"mentoring.rag_sheets.expire:{today.isoformat()}", due_at=due, run=_expire)]
