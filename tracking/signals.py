"""Hooks that let the apps built on tracking join in without tracking importing them."""

from django.dispatch import Signal

# Sent inside seed_demo's transaction with `built` (tracking.demo.Built) so other apps add their demo data.
demo_school_built = Signal()
