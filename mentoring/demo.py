"""Demo data for mentoring: the `mentor` login mentors a dozen Year 11 pupils, others the rest.

`mentor` has met about half of their mentees this month, so the workspace shows both kinds, and
every mentor has a history of meetings for the compliance view.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from tracking.models import Role, StaffRole, TeachingGroup

from .models import MeetingKind, MentorAssignment, MentoringSlip, MentorMeeting, SlipKind

TOPICS = [
    (
        "Revision timetable for the mocks; homework in science is late.",
        "Two science homeworks in by Friday.",
        "Check the revision timetable is on the fridge.",
    ),
    (
        "Maths predicted grade has dropped; confidence with algebra.",
        "Attend Tuesday maths session.",
        "Ask the maths teacher for the algebra booklet.",
    ),
    (
        "Good report from English; coursework nearly done.",
        "Finish the coursework draft.",
        "Praise postcard home.",
    ),
    ("Attendance below 95%; mornings are hard.", "On time every day next week.", "Ring home on Monday."),
    (
        "Options after Year 11: college open evenings.",
        "Book the college open evening.",
        "Bring the prospectus next time.",
    ),
]


def add_demo_mentoring(sender, built, **kwargs):
    staff = built.staff
    y11 = [p for p in built.pupils if p.year_group.number == 11]
    mentors = [staff["mentor"]] + [s for name, s in sorted(staff.items()) if name.startswith("staff")][:24]
    StaffRole.objects.bulk_create([StaffRole(staff=m, role=Role.MENTOR) for m in mentors[1:]])
    # The demo parent's Year 11 child is one of `mentor`'s mentees so every story joins up.
    family_child = built.family["parent"][0]
    ordered = [family_child] + [p for p in y11 if p.pk != family_child.pk]
    assignments = []
    for index, pupil in enumerate(ordered):
        mentor = mentors[0] if index < 12 else mentors[1 + (index - 12) % (len(mentors) - 1)]
        assignments.append(
            MentorAssignment(
                school=built.school, academic_year=built.current_year, mentor=mentor, pupil=pupil
            )
        )
    MentorAssignment.objects.bulk_create(assignments)
    built.counts["mentees"] = len(assignments)
    built.counts["mentor_meetings"] = _meetings(built, assignments)
    built.counts["mentoring_slips"] = _slips(built, assignments)


def _meetings(built, assignments):
    """Monthly meetings since September; this month only about half are met so far."""
    today = getattr(built, "today", timezone.localdate())
    rng = random.Random(11)
    year = built.current_year
    month_start = today.replace(day=1)
    meetings = []
    for assignment in assignments:
        day = year.starts_on + timedelta(days=7)
        while day < month_start:
            meetings.append(_meeting(built, assignment, day + timedelta(days=rng.randrange(0, 20)), rng))
            day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        if rng.random() < 0.5 and today.day > 1:
            meetings.append(
                _meeting(built, assignment, month_start + timedelta(days=rng.randrange(today.day)), rng)
            )
    meetings = [m for m in meetings if m.held_on <= today]
    MentorMeeting.objects.bulk_create(meetings)
    return len(meetings)


def _meeting(built, assignment, held_on, rng):
    discussed, targets, steps = rng.choice(TOPICS)
    return MentorMeeting(
        school=built.school,
        academic_year=built.current_year,
        pupil=assignment.pupil,
        mentor=assignment.mentor,
        held_on=held_on,
        kind=MeetingKind.FORMAL if rng.random() < 0.6 else MeetingKind.INFORMAL,
        discussed=discussed,
        targets_agreed=targets,
        next_steps=steps,
        parents_involved=rng.random() < 0.15,
        recorded_by=assignment.mentor.user,
        recorded_at=timezone.make_aware(datetime.combine(held_on, time(12, 30))),
    )


SLIPS = [
    (SlipKind.CONCERN, "Homework has not been handed in for three weeks.", "Hand in every homework on time."),
    (
        SlipKind.CONCERN,
        "Talking through the practical; the write-up was not finished.",
        "Finish the write-up by Monday.",
    ),
    (SlipKind.CONCERN, "Mock paper left half blank: ran out of time.", "Timed practice on two past papers."),
    (SlipKind.POSITIVE, "Excellent mock result, the best in the group.", ""),
    (SlipKind.POSITIVE, "Has stayed after school every week to catch up.", "Keep the routine going."),
]


def _slips(built, assignments):
    """Slips from the mentees' own teachers: `mentor` has some waiting and some already discussed."""
    rng = random.Random(12)
    today = getattr(built, "today", timezone.localdate())
    by_pupil = {a.pupil_id: a for a in assignments}
    own = [a.pupil_id for a in assignments if a.mentor_id == built.staff["mentor"].pk]
    chosen = set(own) | set(rng.sample(sorted(by_pupil), min(60, len(by_pupil))))
    teachers = {}
    groups = TeachingGroup.objects.filter(academic_year=built.current_year, pupils__in=chosen)
    for group in groups.prefetch_related("teachers").distinct():
        for pupil_id in group.pupils.filter(pk__in=chosen).values_list("pk", flat=True):
            for teacher in group.teachers.all():
                teachers.setdefault(pupil_id, []).append((teacher, group.subject_id))
    latest = {m.pupil_id: m for m in MentorMeeting.objects.filter(pupil_id__in=chosen).order_by("held_on")}
    slips = []
    for pupil_id in sorted(chosen):
        options = sorted(teachers.get(pupil_id, []), key=lambda t: (t[0].pk, t[1]))
        if not options:
            continue
        for _ in range(2 if pupil_id in own else 1):
            teacher, subject_id = rng.choice(options)
            kind, message, improve = rng.choice(SLIPS)
            sent = timezone.now() - timedelta(days=rng.randrange(1, 40), hours=rng.randrange(8))
            meeting = latest.get(pupil_id)
            discussed = meeting is not None and meeting.held_on > sent.date() and meeting.held_on <= today
            slips.append(
                MentoringSlip(
                    school=built.school,
                    academic_year=built.current_year,
                    pupil_id=pupil_id,
                    subject_id=subject_id,
                    kind=kind,
                    message=message,
                    to_improve=improve,
                    sent_by=teacher,
                    mentor=by_pupil[pupil_id].mentor,
                    sent_at=sent,
                    emailed_at=sent,
                    discussed_at=meeting.recorded_at if discussed else None,
                    meeting=meeting if discussed else None,
                )
            )
    MentoringSlip.objects.bulk_create(slips)
    return len(slips)
