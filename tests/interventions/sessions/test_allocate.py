"""The allocation itself, without a database: buckets, capacity, clashes and the weekly limit."""

from datetime import datetime, timedelta

from interventions.sessions import allocate

MON = datetime(2026, 11, 30, 15, 30)


def slot(pk, subject=1, kind="after_school", start=MON, minutes=60, capacity=1):
    return allocate.Slot(pk, subject, kind, start, start + timedelta(minutes=minutes), capacity)


def req(pk, pupil, subject=1, bucket=3, gap=None, kind="after_school"):
    return allocate.Request(pk, pupil, subject, kind, bucket, gap)


def test_english_and_maths_come_before_other_core_and_then_the_rest():
    result = allocate.allocate(
        [req(1, 10, bucket=3), req(2, 11, bucket=2), req(3, 12, bucket=1)], [slot(1, capacity=2)]
    )
    assert [r for r, _ in result.placed] == [3, 2]
    assert result.unplaced == [(1, allocate.FULL)]


def test_within_a_bucket_the_pupil_furthest_below_target_goes_first():
    result = allocate.allocate([req(1, 10, bucket=1, gap=-1), req(2, 11, bucket=1, gap=-3)], [slot(1)])
    assert result.placed == [(2, 1)]


def test_no_pupil_is_in_two_places_at_once():
    slots = [slot(1, subject=1), slot(2, subject=2)]
    result = allocate.allocate([req(1, 10, subject=1), req(2, 10, subject=2)], slots)
    assert result.placed == [(1, 1)] and result.unplaced == [(2, allocate.CLASH)]


def test_an_already_confirmed_place_counts_as_busy_and_against_capacity():
    busy = {10: [(MON, MON + timedelta(hours=1))]}
    result = allocate.allocate([req(1, 10), req(2, 11)], [slot(1, capacity=2)], busy=busy, taken={1: 1})
    assert result.placed == [(2, 1)]


def test_the_weekly_limit_stops_a_pupil_being_overwhelmed():
    slots = [slot(i, start=MON + timedelta(days=i)) for i in range(4)]
    result = allocate.allocate([req(i, 10) for i in range(4)], slots, limit=3)
    assert len(result.placed) == 3 and result.unplaced == [(3, allocate.LIMIT)]


def test_an_any_subject_slot_takes_any_subject_and_a_missing_kind_is_explained():
    result = allocate.allocate([req(1, 10, subject=7), req(2, 11, kind="lunchtime")], [slot(1, subject=None)])
    assert result.placed == [(1, 1)] and result.unplaced == [(2, allocate.NO_SLOT)]


def test_bucket_for_subject_categories():
    assert [allocate.bucket_for(c) for c in ("maths", "english_language", "combined_science", "history")] == [
        1,
        1,
        2,
        3,
    ]
