"""Signal receivers: the tracking cycle's stages start the rules and the impact evaluation."""

from . import tasks


def on_cycle_stage_entered(sender, cycle, stage, **kwargs):
    if stage == "actions":
        tasks.run_rules_for_point.delay_on_commit(cycle.point.pk, cycle.pk)
    elif stage == "evaluation":
        tasks.evaluate_impact_for_point.delay_on_commit(cycle.point.pk)
