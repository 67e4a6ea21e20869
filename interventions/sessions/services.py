"""Every write for sessions: slots, requests, allocation (propose, review, confirm), registers,
follow-ups and the Monday timetable issue. Atomic, validated first, audited."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from tracking import audit
from tracking.lib.errors import DomainError
from tracking.models import Subject

from .. import grades
from . import allocate, queries
from .models import (
    Allocation,
    AllocationStatus,
    Attendance,
    Kind,
    RequestStatus,
    Session,
    SessionRequest,
    TimetableIssue,
)


def _aware(day, time):
    return timezone.make_aware(datetime.combine(day, time))


@transaction.atomic
def session_create(*, school, by, subject, kind, title, date, starts_at, ends_at, room, capacity, leader=None,
                   advertised=False):  # fmt: skip
    """Add a dated session slot with its room and capacity."""
    if kind not in Kind.values:
        raise DomainError("bad_kind", "Choose after school or lunchtime.")
    if ends_at <= starts_at:
        raise DomainError("bad_times", "The session must end after it starts.")
    if not capacity or capacity < 1:
        raise DomainError("bad_capacity", "A session holds at least one pupil.")
    if not (room or "").strip():
        raise DomainError("room_required", "Give the room.")
    if subject is not None and subject.school_id != school.pk:
        raise DomainError("wrong_school", "That subject belongs to another school.")
    session = Session.objects.create(
        school=school, subject=subject, kind=kind,
        title=(title or "").strip() or (subject.name if subject else "Any subject"),
        date=date, starts_at=starts_at, ends_at=ends_at, room=room.strip(), capacity=capacity, leader=leader,
        advertised=advertised,
    )  # fmt: skip
    audit.record(
        action="interventions.session.created",
        obj=session,
        by=by,
        after={"title": session.title, "date": date.isoformat(), "room": session.room, "capacity": capacity},
    )
    return session


@dataclass
class RequestResult:
    created: list
    skipped: list  # pupils already requested for that subject, kind and week


@transaction.atomic
def request_create(*, pupils, subject, kind, reason, week_start, by, now=None):
    """Ask for sessions for named pupils in a week (the assistant SENCo allocates them)."""
    reason = (reason or "").strip()
    if not pupils:
        raise DomainError("no_pupils", "Choose at least one pupil.")
    if not reason:
        raise DomainError("reason_required", "Say why the pupils need the session.")
    if kind not in Kind.values:
        raise DomainError("bad_kind", "Choose after school or lunchtime.")
    if week_start.weekday() != 0:
        raise DomainError("not_monday", "A week starts on a Monday.")
    school_ids = {p.school_id for p in pupils}
    if school_ids != {subject.school_id}:
        raise DomainError("wrong_school", "The pupils and the subject must be of one school.")
    taken = set(
        SessionRequest.objects.filter(
            pupil__in=pupils, subject=subject, kind=kind, week_start=week_start
        ).values_list("pupil_id", flat=True)
    )
    now = now or timezone.now()
    rows = [
        SessionRequest(
            school_id=subject.school_id, pupil=p, subject=subject, kind=kind, reason=reason[:300],
            week_start=week_start, requested_by=by, requested_at=now,
        )
        for p in pupils if p.pk not in taken
    ]  # fmt: skip
    created = SessionRequest.objects.bulk_create(rows)
    audit.record_many(
        [
            {"action": "interventions.session_request.created", "obj": r, "by": by, "pupil": r.pupil,
             "after": {"subject": subject.pk, "kind": kind, "week": week_start.isoformat(),
                       "reason": r.reason}}
            for r in created
        ]
    )  # fmt: skip
    return RequestResult(created=created, skipped=[p for p in pupils if p.pk in taken])


@dataclass
class Proposal:
    placed: int
    unplaced: int
    requests: int


def _week_bounds(week_start):
    return week_start, week_start + timedelta(days=7)


def _insert_proposed(school, placed):
    """One executemany INSERT for the proposal: building hundreds of model instances costs more than
    the placement itself."""
    if not placed:
        return
    table = Allocation._meta.db_table
    sql = (
        f"INSERT INTO {table} (school_id, session_id, pupil_id, request_id, status, bucket, attendance, "
        "points, follow_up_note) VALUES (%s, %s, %s, %s, %s, %s, '', 0, '')"
    )
    rows = [
        (school.pk, slot_id, spec.pupil_id, spec.id, AllocationStatus.PROPOSED, spec.bucket)
        for spec, slot_id in placed
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def allocation_propose(*, school, week_start, by):
    """Place the week's waiting requests by priority bucket into the week's sessions, as a proposal.

    A fresh proposal replaces any earlier one; nothing confirmed is moved. Confirmed places count
    against capacity, clashes and the weekly limit.
    """
    first, last = _week_bounds(week_start)
    sessions = list(Session.objects.select_for_update().filter(school=school, date__gte=first, date__lt=last))
    Allocation.objects.filter(
        school=school, status=AllocationStatus.PROPOSED, session__date__gte=first, session__date__lt=last
    ).delete()
    # Plain tuples, not model instances: a week can hold hundreds of requests (budget: 400 in 1 s).
    requests = list(
        SessionRequest.objects.filter(
            school=school, week_start=week_start, status__in=[RequestStatus.PENDING, RequestStatus.UNPLACED]
        ).values_list("pk", "pupil_id", "subject_id", "kind", "subject__category")
    )
    pupil_ids = {r[1] for r in requests}
    gap_of = grades.gaps(pupil_ids, {r[2] for r in requests}, school)
    confirmed = Allocation.objects.filter(
        school=school, status=AllocationStatus.CONFIRMED, session__date__gte=first, session__date__lt=last
    ).values_list("pupil_id", "session_id", "session__date", "session__starts_at", "session__ends_at")
    busy, taken = defaultdict(list), defaultdict(int)
    for pupil_id, session_id, day, start, end in confirmed:
        busy[pupil_id].append((_aware(day, start), _aware(day, end)))
        taken[session_id] += 1
    specs = [
        allocate.Request(
            id=pk,
            pupil_id=pupil_id,
            subject_id=subject_id,
            kind=kind,
            bucket=allocate.bucket_for(category),
            gap=gap_of.get((pupil_id, subject_id)),
        )
        for pk, pupil_id, subject_id, kind, category in requests
    ]
    slots = [
        allocate.Slot(
            s.pk, s.subject_id, s.kind, _aware(s.date, s.starts_at), _aware(s.date, s.ends_at), s.capacity
        )
        for s in sessions
    ]
    result = allocate.allocate(specs, slots, busy=busy, taken=taken, limit=queries.weekly_limit(school))
    by_id = {spec.id: spec for spec in specs}
    _insert_proposed(school, [(by_id[req_id], slot_id) for req_id, slot_id in result.placed])
    # A handful of distinct reasons: one UPDATE each beats a 400-row bulk_update CASE by seconds.
    by_reason = defaultdict(list)
    reasons = dict(result.unplaced)
    for spec in specs:
        by_reason[reasons.get(spec.id, "")].append(spec.id)
    for reason, ids in by_reason.items():
        SessionRequest.objects.filter(pk__in=ids).update(unplaced_reason=reason)
    audit.record(
        action="interventions.allocation.proposed",
        obj=school,
        by=by,
        school=school,
        after={
            "week": week_start.isoformat(),
            "placed": len(result.placed),
            "unplaced": len(result.unplaced),
        },
    )
    return Proposal(placed=len(result.placed), unplaced=len(result.unplaced), requests=len(requests))


@transaction.atomic
def allocation_confirm(*, school, week_start, by):
    """Confirm the reviewed proposal: places become timetabled, their requests placed, the rest unplaced."""
    first, last = _week_bounds(week_start)
    proposed = list(
        Allocation.objects.select_for_update()
        .filter(
            school=school, status=AllocationStatus.PROPOSED, session__date__gte=first, session__date__lt=last
        )
        .select_related("session")
    )
    if not proposed:
        raise DomainError("nothing_proposed", "There is no proposal to confirm: run the allocation first.")
    # Someone may have confirmed places since the proposal: check again that nobody is double-booked.
    confirmed = Allocation.objects.filter(
        school=school, status=AllocationStatus.CONFIRMED, session__date__gte=first, session__date__lt=last
    ).select_related("session")
    times = defaultdict(list)
    for a in list(confirmed) + proposed:
        s = a.session
        for day, start, end in times[a.pupil_id]:
            if day == s.date and s.starts_at < end and start < s.ends_at:
                raise DomainError(
                    "double_booked", "A pupil would be in two places at once: run the allocation again."
                )
        times[a.pupil_id].append((s.date, s.starts_at, s.ends_at))
    Allocation.objects.filter(pk__in=[a.pk for a in proposed]).update(status=AllocationStatus.CONFIRMED)
    placed_requests = [a.request_id for a in proposed if a.request_id]
    SessionRequest.objects.filter(pk__in=placed_requests).update(
        status=RequestStatus.PLACED, unplaced_reason=""
    )
    unplaced = (
        SessionRequest.objects.filter(school=school, week_start=week_start, status=RequestStatus.PENDING)
        .exclude(unplaced_reason="")
        .update(status=RequestStatus.UNPLACED)
    )
    audit.record(
        action="interventions.allocation.confirmed",
        obj=school,
        by=by,
        school=school,
        after={"week": week_start.isoformat(), "confirmed": len(proposed), "unplaced": unplaced},
    )
    return len(proposed)


@transaction.atomic
def allocation_discard(*, school, week_start, by):
    first, last = _week_bounds(week_start)
    n, _ = Allocation.objects.filter(
        school=school, status=AllocationStatus.PROPOSED, session__date__gte=first, session__date__lt=last
    ).delete()
    SessionRequest.objects.filter(school=school, week_start=week_start, status=RequestStatus.PENDING).update(
        unplaced_reason=""
    )
    audit.record(
        action="interventions.allocation.discarded", obj=school, by=by, school=school,
        after={"week": week_start.isoformat(), "discarded": n},
    )  # fmt: skip
    return n


def register_opens_at(session):
    """When a session's register may first be taken: as the session starts, never before."""
    return _aware(session.date, session.starts_at)


def register_is_open(session, now=None):
    return (now or timezone.now()) >= register_opens_at(session)


@transaction.atomic
def register_mark(*, session, marks, by, now=None):
    """Take the register: {allocation id: 'present' | 'late' | 'absent'}. Attending earns reward points.

    Refused before the session starts: an absence marked in advance would be invented, and would reach
    the follow-up lists and the family's page.
    """
    now = now or timezone.now()
    if not register_is_open(session, now):
        opens = timezone.localtime(register_opens_at(session))
        raise DomainError(
            "register_not_open",
            f"The register opens when the session starts, at {opens:%H:%M} on {opens:%A} {opens.day} "
            f"{opens:%B}. Nothing was saved.",
        )
    valid = {Attendance.PRESENT, Attendance.LATE, Attendance.ABSENT}
    bad = [v for v in marks.values() if v not in valid]
    if bad:
        raise DomainError("bad_mark", "Mark each pupil present, late or absent.")
    rows = {
        a.pk: a
        for a in Allocation.objects.select_for_update()
        .filter(session=session, status=AllocationStatus.CONFIRMED, pk__in=list(marks))
        .select_related("pupil")
    }
    if set(marks) - set(rows):
        raise DomainError("not_on_register", "That pupil is not on this session's register.")
    points = queries.settings_for(session.school).points_per_session
    events, changed = [], []
    for pk, mark in marks.items():
        a = rows[pk]
        if a.attendance == mark:
            continue
        before = {"attendance": a.attendance, "points": a.points}
        a.attendance, a.points = mark, (points if mark != Attendance.ABSENT else 0)
        a.marked_at, a.marked_by = now, by
        if mark != Attendance.ABSENT:
            a.followed_up_at = None
        changed.append(a)
        events.append({"action": "interventions.register.marked", "obj": a, "by": by, "pupil": a.pupil,
                       "before": before, "after": {"attendance": mark, "points": a.points}})  # fmt: skip
    Allocation.objects.bulk_update(
        changed, ["attendance", "points", "marked_at", "marked_by", "followed_up_at"]
    )
    audit.record_many(events)
    return len(changed)


@transaction.atomic
def follow_up_record(*, allocation, note, by, now=None):
    note = (note or "").strip()
    if not note:
        raise DomainError("note_required", "Say what was done about the absence.")
    allocation = Allocation.objects.select_for_update().select_related("pupil").get(pk=allocation.pk)
    if allocation.attendance != Attendance.ABSENT:
        raise DomainError("not_absent", "Only absences are followed up.")
    allocation.followed_up_at, allocation.followed_up_by, allocation.follow_up_note = (
        now or timezone.now(),
        by,
        note[:300],
    )
    allocation.save(update_fields=["followed_up_at", "followed_up_by", "follow_up_note"])
    audit.record(action="interventions.absence.followed_up", obj=allocation, by=by, pupil=allocation.pupil,
                 after={"note": allocation.follow_up_note})  # fmt: skip
    return allocation


@transaction.atomic
def timetable_issue(*, school, week_start, now=None):
    """The Monday issue of the week's intervention timetables (once per school and week)."""
    issue, created = TimetableIssue.objects.get_or_create(
        school=school, week_start=week_start, defaults={"issued_at": now or timezone.now()}
    )
    if created:
        first, last = _week_bounds(week_start)
        confirmed = Allocation.objects.filter(
            school=school, status=AllocationStatus.CONFIRMED, session__date__gte=first, session__date__lt=last
        )
        issue.places = confirmed.count()
        issue.sessions = confirmed.values("session_id").distinct().count()
        issue.save(update_fields=["places", "sessions"])
        audit.record(action="interventions.timetable.issued", obj=issue, by=None, via="scheduler",
                     after={"week": week_start.isoformat(), "places": issue.places})  # fmt: skip
    return issue


def subjects_for_requests(school):
    return Subject.objects.filter(school=school).order_by("name")
