"""Placing requested pupils into session slots: pure, so it is tested and benchmarked without a database.

Longfield's "bucket" priority: English and maths first, then the other core subjects (science), then
the rest; within a bucket, the pupil furthest below target first. Each request goes to the earliest
slot of its subject (or an any-subject slot) and kind that has room, that does not overlap anything
the pupil already has, and that keeps the pupil within the school's weekly limit.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

ENGLISH_MATHS = {"english_language", "english_literature", "maths"}
OTHER_CORE = {"science", "combined_science"}
BUCKET_LABELS = {1: "English and maths", 2: "Other core subjects", 3: "Other subjects"}

FULL, CLASH, LIMIT, NO_SLOT = (
    "Every matching session is full",
    "Every session with room clashes with another of the pupil's",
    "The pupil is already at the school's weekly limit",
    "No session this week for that subject and kind",
)


def bucket_for(category):
    if category in ENGLISH_MATHS:
        return 1
    if category in OTHER_CORE:
        return 2
    return 3


@dataclass(frozen=True)
class Request:
    id: int
    pupil_id: int
    subject_id: int
    kind: str
    bucket: int
    gap: int | None = None  # whole grades against target; more negative is further below


@dataclass(frozen=True)
class Slot:
    id: int
    subject_id: int | None  # None: any subject
    kind: str
    start: datetime
    end: datetime
    capacity: int


@dataclass
class Result:
    placed: list = field(default_factory=list)  # [(request id, slot id)]
    unplaced: list = field(default_factory=list)  # [(request id, reason)]


def priority(request):
    return (request.bucket, request.gap if request.gap is not None else 0, request.id)


def allocate(requests, slots, *, busy=None, taken=None, limit=3):
    """Place requests into slots. `busy` {pupil id: [(start, end)]} and `taken` {slot id: places used}
    are what is already confirmed. Returns a Result; nothing is double-booked or over capacity."""
    busy = defaultdict(list, {k: list(v) for k, v in (busy or {}).items()})
    used = defaultdict(int, taken or {})
    by_key = defaultdict(list)
    for slot in sorted(slots, key=lambda s: (s.start, s.id)):
        by_key[(slot.subject_id, slot.kind)].append(slot)
    result = Result()
    for request in sorted(requests, key=priority):
        candidates = by_key.get((request.subject_id, request.kind), []) + by_key.get((None, request.kind), [])
        if not candidates:
            result.unplaced.append((request.id, NO_SLOT))
            continue
        mine = busy[request.pupil_id]
        if len(mine) >= limit:
            result.unplaced.append((request.id, LIMIT))
            continue
        reason = FULL
        for slot in candidates:
            if used[slot.id] >= slot.capacity:
                continue
            if any(slot.start < end and start < slot.end for start, end in mine):
                reason = CLASH
                continue
            used[slot.id] += 1
            mine.append((slot.start, slot.end))
            result.placed.append((request.id, slot.id))
            break
        else:
            result.unplaced.append((request.id, reason))
    return result
