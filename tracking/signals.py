"""Hooks that let the apps built on tracking join in without tracking importing them."""

from django.dispatch import Signal

# Sent inside seed_demo's transaction with `built` (tracking.demo.Built) so other apps add their demo data.
demo_school_built = Signal()

# Sent by the tracking cycle when a cycle enters a stage, with `cycle` (a TrackingCycle: .point, .pk)
# and `stage` ("input", "verification", "health_check", "actions", "evaluation", "closed").
cycle_stage_entered = Signal()
