"""Hooks that let the apps built on tracking join in without tracking importing them."""

from django.dispatch import Signal

# Sent inside seed_demo's transaction with `built` (tracking.demo.Built) so other apps add their demo data.
demo_school_built = Signal()

# Sent inside a tracking cycle's transition transaction with `cycle` (TrackingCycle) and `stage`
# ("input", "verification", "health_check", "actions", "evaluation", "closed"). Receivers write in
# the same transaction; anything that queues a task must do so with transaction.on_commit.
cycle_stage_entered = Signal()
