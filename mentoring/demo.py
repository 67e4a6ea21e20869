"""Demo data for mentoring: the `mentor` login mentors a dozen Year 11 pupils, others the rest.

`mentor` has met about half of their mentees this month, so the workspace shows both kinds, and
every mentor has a history of meetings for the compliance view.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from tracking.models import Role, StaffRole

from .models import MeetingKind, MentorAssignment, MentorMeeting

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


def _meetings(built, assignments):
    """Monthly meetings since September; this month only about half are met so far."""
    today = getattr(built, "today", timezone.localdate())
    rng = random.Random(11)
    year = built.current_year
    month_start = today.replace(day=1)
    meetings = []
    for index, assignment in enumerate(assignments):
        day = year.starts_on + timedelta(days=7)
        while day < month_start:
            meetings.append(_meeting(built, assignment, day + timedelta(days=rng.randrange(0, 20)), rng))
            day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        if index % 2 == 0 and today.day > 1:
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
