import pytest
from django.core.management import call_command

from tests.built_once import built_once
from tracking.cycle import scheduler, services
from tracking.models import CycleTransition, DepartmentSignOff, HealthCheck, ScheduledEventRun, TrackingCycle


@pytest.fixture(scope="module")
def _built(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        call_command(
            "seed_demo", "--pupils", "150", "--seed", "3", "--hillside-pupils", "0"
        )  # Riverside alone
        yield


@pytest.fixture
def demo(_built, db):
    """Riverside seeded once for the module; each test's changes are rolled back."""


def test_demo_has_the_open_uplift_at_input_and_earlier_ones_with_their_history(demo):
    current = TrackingCycle.objects.get(stage="input")
    assert current.points.filter(year_group__number=11, is_locked=False).exists()
    earlier = TrackingCycle.objects.filter(input_on__lt=current.input_on)
    assert earlier.exists()
    for cycle in earlier:
        stages = list(CycleTransition.objects.filter(cycle=cycle).values_list("to_stage", flat=True))
        assert stages[:3] == ["input", "verification", "health_check"]
        assert HealthCheck.objects.filter(cycle=cycle).exists()
        assert DepartmentSignOff.objects.filter(cycle=cycle, status="verified").exists()
        assert ScheduledEventRun.objects.filter(key__startswith=f"cycle:{cycle.pk}:").count() == len(stages)
    # A scheduler tick right after seeding repeats nothing: the history is in the ledger.
    before = CycleTransition.objects.count()
    scheduler.run_due(sources=[services.cycle_events])
    assert CycleTransition.objects.count() == before


def test_demo_cycles_fall_on_school_days_in_order_and_a_full_tick_after_seeding_does_nothing(demo, client):
    from django.urls import reverse

    from tracking.cycle.tasks import scheduler_tick
    from tracking.models import User

    cycles_ = list(TrackingCycle.objects.select_related("school"))
    days = services.SchoolDays.for_school(cycles_[0].school)
    for cycle in cycles_:
        dates = [getattr(cycle, name) for name in services.DATE_FIELDS.values()]
        assert dates == sorted(set(dates)), cycle
        assert all(days.is_open(d) for d in dates), (cycle, dates)
    ledger, transitions = ScheduledEventRun.objects.count(), CycleTransition.objects.count()
    # Housekeeping (the hourly import tidy, the nightly expiry of printed RAG sheets) may run on this
    # tick; nothing the demo should already have run does.
    ran = scheduler_tick()
    housekeeping = ("imports-tidy:", "mentoring.rag_sheets.expire:")
    assert [key for key in ran if not key.startswith(housekeeping)] == []
    assert (ScheduledEventRun.objects.count(), CycleTransition.objects.count()) == (
        ledger + len(ran),
        transitions,
    )
    client.force_login(User.objects.get(username="datamanager"))
    page = client.get(reverse("cycle_calendar")).content.decode()
    assert all(cycle.name in page for cycle in cycles_)
