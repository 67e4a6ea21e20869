import pytest
from django.core.management import call_command

from tracking import cycle as cycles
from tracking import scheduler
from tracking.models import CycleTransition, DepartmentSignOff, HealthCheck, ScheduledEventRun, TrackingCycle


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--pupils", "150", "--seed", "3")


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
    scheduler.run_due(sources=[cycles.cycle_events])
    assert CycleTransition.objects.count() == before
