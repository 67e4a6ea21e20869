"""The demo builds for any school day: everything it does "as of now" reads the demo's own clock, so a
day ahead of the real one (a machine whose time zone is ahead of the school's, or a test's date) builds
as consistently as today."""

from datetime import date, timedelta

from django.utils import timezone

from interventions.models import Allocation, Session
from mentoring.models import MentoringSlip
from tracking.demo.school import build, demo_now, year_start_for
from tracking.models import AssessmentPoint, CycleTransition, TrackingCycle


def test_the_demo_clock_is_now_on_the_demo_day():
    today = timezone.localdate()
    assert abs((demo_now(today) - timezone.now()).total_seconds()) < 60
    ahead = demo_now(today + timedelta(days=100))
    assert timezone.localtime(ahead).date() == today + timedelta(days=100)


def test_the_demo_builds_for_a_day_months_ahead_of_the_real_one(db):
    # Mid-March, years ahead: registers, cycles and slips are all in the future of the real clock.
    today = date(year_start_for(timezone.localdate()).year + 5, 3, 10)
    built = build(pupils=60, seed=3, today=today)
    open_now = AssessmentPoint.objects.filter(
        school=built.school, opens_on__lte=today, closes_on__gte=today, is_locked=False
    )
    assert open_now.filter(year_group__number=11).exists()
    # Registers are taken for the sessions already held by the demo's day, none after it.
    marked = Allocation.objects.filter(session__school=built.school).exclude(attendance="")
    assert marked.exists()
    assert not marked.filter(session__date__gte=today).exists()
    assert Session.objects.filter(school=built.school, date__gt=today).exists()  # next week's
    # The uplift open on the demo's day is at input; the autumn's have run their stages before it.
    current = TrackingCycle.objects.get(school=built.school, stage="input")
    assert current.points.filter(pk__in=open_now).exists()
    earlier = CycleTransition.objects.filter(cycle__school=built.school).exclude(cycle=current)
    assert earlier.exists() and not earlier.filter(at__gt=built.now).exists()
    assert not MentoringSlip.objects.filter(school=built.school, sent_at__date__gt=today).exists()
