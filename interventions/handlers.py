"""Signal receivers: the tracking cycle's stages start the rules and the impact evaluation."""

from tracking.lib.queue import safe_enqueue

from . import tasks


def on_cycle_stage_entered(sender, cycle, stage, **kwargs):
    """Queued after the transition commits (kept as pending if the broker is down), one task per point."""
    if stage not in ("actions", "evaluation"):
        return
    if stage == "actions":
        # Plans are reviewed after every tracking event: their owners hear once the grades are verified.
        from .plans.tasks import send_reviews_due

        safe_enqueue(send_reviews_due, cycle.pk)
    for point_id in cycle.points.values_list("pk", flat=True):
        if stage == "actions":
            safe_enqueue(tasks.run_rules_for_point, point_id, cycle.pk)
        else:
            safe_enqueue(tasks.evaluate_impact_for_point, point_id)
