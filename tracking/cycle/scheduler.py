"""The one scheduler of the school year.

Features add their own due events through `register_event_source(func)`: `func(now)` returns a list
of `Event(key, due_at, run)`. `run_due(now)` runs every event whose `due_at` has come, once each, in
order of `due_at` (then `order`, then key), and records its key in ScheduledEventRun. Running it
twice, or after days of downtime, runs each event exactly once; a second scheduler racing the first
blocks on the ledger row's unique key and then skips the event.

An event's `run(now)` may raise `Deferred` (e.g. its cycle is held): nothing is recorded and the
event is offered again on the next run.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracking.models import ScheduledEventRun

log = logging.getLogger(__name__)

RAN, ALREADY_DONE, DEFERRED, FAILED = "ran", "done", "deferred", "failed"


class Deferred(Exception):
    """Raised by an event that is not ready (held, or waiting on an earlier event); try again later."""


@dataclass(frozen=True)
class Event:
    key: str
    due_at: datetime
    run: Callable  # run(now) -> optional note (str)
    order: int = 0


_sources = []


def register_event_source(func):
    """Add a source: func(now) -> list[Event]. Usable as a decorator."""
    if func not in _sources:
        _sources.append(func)
    return func


def due_events(now, sources=None):
    """Events due by `now` that have not run, in the order they must run."""
    events = [e for source in (sources if sources is not None else _sources) for e in source(now)]
    events = [e for e in events if e.due_at <= now]
    done = set(
        ScheduledEventRun.objects.filter(key__in=[e.key for e in events]).values_list("key", flat=True)
    )
    return sorted((e for e in events if e.key not in done), key=lambda e: (e.due_at, e.order, e.key))


def run_event(event, now):
    """Run one event exactly once. Returns RAN, ALREADY_DONE, DEFERRED or FAILED."""
    try:
        with transaction.atomic():
            try:
                # Claim the key first: a concurrent scheduler blocks here until we commit, then skips.
                with transaction.atomic():
                    ledger = ScheduledEventRun.objects.create(key=event.key, due_at=event.due_at, ran_at=now)
            except IntegrityError:
                return ALREADY_DONE
            note = event.run(now)
            if note:
                ledger.note = str(note)[:300]
                ledger.save(update_fields=["note"])
    except Deferred as why:
        log.info("scheduler: %s deferred (%s)", event.key, why)
        return DEFERRED
    except Exception:
        # One broken event must not stop the others; it stays un-done and is retried next run.
        log.exception("scheduler: event %s failed", event.key)
        return FAILED
    return RAN


def run_due(now=None, *, sources=None, max_rounds=10):
    """Run every due event; returns the keys that ran, in order. Safe to call as often as you like."""
    now = now or timezone.now()
    ran = []
    for _ in range(max_rounds):
        progressed = False
        for event in due_events(now, sources):
            if run_event(event, now) == RAN:
                ran.append(event.key)
                progressed = True
        if not progressed:
            break
    return ran
