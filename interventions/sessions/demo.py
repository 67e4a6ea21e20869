"""Demo sessions: six past weeks with registers taken (rewards earned, absences to follow up), this
week allocated by the assistant SENCo and confirmed (so `tutor.11a` prints 11A's timetable at once),
next week's requests waiting for allocation, and the Agreement for Examination Success for Year 11."""

from datetime import time, timedelta

from tracking.models import Role, ScheduledEventRun, Staff, StaffRole, Subject, User

from ..agreements.models import ExamAgreement
from ..models import Flag, Scope
from . import schedule, services
from .models import Allocation, AllocationStatus, Attendance, Session, SessionRequest
from .queries import monday_of

# (weekday, start, end, kind, subject category, title, room, capacity, leader username, advertised)
AFTER, LUNCH = (time(15, 20), time(16, 20)), (time(12, 40), time(13, 20))
WEEK = [
    (0, *AFTER, "after_school", "maths", "Maths catch-up", "M4", 12, "teacher.maths", True),
    (
        1,
        *AFTER,
        "after_school",
        "english_language",
        "English: exam writing",
        "E2",
        12,
        "teacher.english",
        True,
    ),
    (2, *LUNCH, "lunchtime", "combined_science", "Science lunch club", "S1", 10, None, True),
    (3, *LUNCH, "lunchtime", "maths", "Maths lunch clinic", "M1", 8, "hod.maths", False),
    (3, time(15, 20), time(16, 30), "after_school", None, "Homework club", "Library", 20, None, True),
]


def _assistant(built):
    """The `senco.assistant` login: the assistant SENCo who runs the allocation (Longfield)."""
    senco = built.staff["senco"].user
    username = built.profile.login("senco.assistant")
    user = User.objects.create(
        username=username, first_name="Ana", last_name="Moreno", school=built.school,
        email=f"{username}@{built.profile.domain}", password=senco.password,
    )  # fmt: skip
    staff = Staff.objects.create(school=built.school, user=user, title="Ms", initials="AMO")
    StaffRole.objects.create(staff=staff, role=Role.SENCO)
    built.staff["senco.assistant"] = staff
    return user


def add_sessions(built, monday, subjects):
    made = []
    for day, start, end, kind, category, title, room, capacity, leader, advertised in WEEK:
        made.append(
            Session(
                school=built.school, subject=subjects.get(category), kind=kind, title=title,
                date=monday + timedelta(days=day), starts_at=start, ends_at=end, room=room, capacity=capacity,
                leader=built.staff.get(leader) if leader else None, advertised=advertised,
            )
        )  # fmt: skip
    return Session.objects.bulk_create(made)


def add_requests(built, monday, subjects, flagged, by, now):
    rows = []
    for subject_id, pupil_ids in flagged.items():
        for pupil_id in pupil_ids:
            kind = "lunchtime" if subject_id == subjects["combined_science"].pk else "after_school"
            rows.append(
                SessionRequest(
                    school=built.school, pupil_id=pupil_id, subject_id=subject_id, kind=kind,
                    reason="Below target at the last tracking point", week_start=monday, requested_by=by,
                    requested_at=now,
                )
            )  # fmt: skip
    SessionRequest.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def add_demo_sessions(built):
    school, today, rng = built.school, built.today, built.rng
    assistant = _assistant(built)
    by_category = {}
    for subject in Subject.objects.filter(
        school=school, category__in=["maths", "english_language", "combined_science"]
    ):
        by_category.setdefault(subject.category, subject)
    subjects = by_category
    # Year 11 pupils flagged in maths, English and science, 11A's first (their tutor prints the timetable).
    flags = (
        Flag.objects.filter(
            school=school,
            scope=Scope.SUBJECT,
            subject__in=list(subjects.values()),
            pupil__year_group__number=11,
        )
        .order_by("pupil__form__name", "-level")
        .values_list("subject_id", "pupil_id", "pupil__form__name")
    )
    flagged = {}
    for subject_id, pupil_id, form in flags:
        pupils = flagged.setdefault(subject_id, [])
        if pupil_id not in pupils and (len(pupils) < 28 or form == "11A"):
            pupils.append(pupil_id)
    family_child = built.family["parent"][0].pk
    flagged.setdefault(subjects["maths"].pk, [])
    if family_child not in flagged[subjects["maths"].pk]:
        flagged[subjects["maths"].pk].insert(0, family_child)
    now = built.now
    this_monday = monday_of(today)
    teacher = built.staff["teacher.maths"].user
    # Six past weeks, confirmed, with registers: most attend, a few miss (followed up unless last week).
    for back in range(6, 0, -1):
        monday = this_monday - timedelta(weeks=back)
        add_sessions(built, monday, subjects)
        add_requests(built, monday, subjects, flagged, teacher, now)
        services.allocation_propose(school=school, week_start=monday, by=assistant)
        services.allocation_confirm(school=school, week_start=monday, by=assistant)
        take_registers(built, monday, rng, assistant, family_child, follow_up=back > 1)
        services.timetable_issue(school=school, week_start=monday, now=now)
    # This week: allocated and confirmed, timetables issued; registers for the days already gone.
    add_sessions(built, this_monday, subjects)
    add_requests(built, this_monday, subjects, flagged, teacher, now)
    services.allocation_propose(school=school, week_start=this_monday, by=assistant)
    services.allocation_confirm(school=school, week_start=this_monday, by=assistant)
    services.timetable_issue(school=school, week_start=this_monday, now=now)
    # The scheduler's ledger knows this week's timetables are out, so the next tick repeats nothing.
    ScheduledEventRun.objects.get_or_create(
        key=schedule.event_key(school.pk, this_monday),
        defaults={"due_at": schedule.due_at(this_monday), "ran_at": now, "note": "demo"},
    )
    take_registers(built, this_monday, rng, assistant, family_child, follow_up=False, before=today)
    # Next week: sessions set up and requests waiting for the assistant SENCo to allocate.
    next_monday = this_monday + timedelta(weeks=1)
    add_sessions(built, next_monday, subjects)
    waiting = add_requests(built, next_monday, subjects, flagged, teacher, now)
    _agreements(built, rng)
    built.counts["session_requests_waiting"] = waiting
    built.counts["sessions"] = Session.objects.filter(school=school).count()


def take_registers(built, monday, rng, by, family_child, *, follow_up, before=None):
    sessions = Session.objects.filter(
        school=built.school, date__gte=monday, date__lt=monday + timedelta(days=7)
    )
    if before is not None:
        sessions = sessions.filter(date__lt=before)
    for session in sessions:
        marks = {}
        for pk, pupil_id in session.allocations.filter(status=AllocationStatus.CONFIRMED).values_list(
            "pk", "pupil_id"
        ):
            roll = rng.random()
            mark = (
                Attendance.PRESENT if roll < 0.8 else (Attendance.LATE if roll < 0.88 else Attendance.ABSENT)
            )
            if pupil_id == family_child and not follow_up:
                mark = Attendance.ABSENT  # the mentor's follow-up list has something to show
            marks[pk] = mark
        if marks:
            services.register_mark(session=session, marks=marks, by=by, now=built.now)
    if follow_up:
        Allocation.objects.filter(session__in=sessions, attendance=Attendance.ABSENT).update(
            followed_up_at=built.now, followed_up_by=by, follow_up_note="Spoke to the pupil"
        )


def _agreements(built, rng):
    year = built.current_year
    start = year.starts_on + timedelta(days=10)
    rows = []
    for pupil in built.pupils:
        if pupil.year_group.number != 11:
            continue
        roll = rng.random()
        if roll < 0.06:
            continue  # not issued yet
        agreement = ExamAgreement(school=built.school, academic_year=year, pupil=pupil, issued_on=start)
        if roll > 0.15:
            agreement.pupil_signed_on = start + timedelta(days=2)
        if roll > 0.22:
            agreement.parent_signed_on = start + timedelta(days=5)
        if roll > 0.3:
            agreement.returned_on = start + timedelta(days=8)
        rows.append(agreement)
    ExamAgreement.objects.bulk_create(rows)
    built.counts["agreements"] = len(rows)
