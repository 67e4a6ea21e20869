"""Demo data for mentoring: the `mentor` login mentors a dozen Year 11 pupils, others the rest.

`mentor` has met about half of their mentees this month, so the workspace shows both kinds, and
every mentor has a history of meetings for the compliance view.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from tracking import standing
from tracking.models import GradeEntry, Role, StaffRole, TeachingGroup

from .models import (
    ActionOwner,
    ActionStatus,
    MeetingKind,
    MentorAssignment,
    MentoringSlip,
    MentorMeeting,
    RagAction,
    RagBreakfast,
    RagEntry,
    RagWindow,
    Rating,
    SlipKind,
)

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
    built.counts["rag_ratings"] = add_demo_rag(built)


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
            sent = built.now - timedelta(days=rng.randrange(1, 40), hours=rng.randrange(8))
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


RAG_COMMENTS = {
    Rating.RED: [
        "Homework missing for three weeks; falling behind.",
        "Mock well below target: needs the catch-up sessions.",
        "Coursework not started; deadline is close.",
    ],
    Rating.AMBER: [
        "Working hard but revision is patchy.",
        "Good in class, tests are weaker: practise timed questions.",
        "Some homework late; otherwise steady.",
    ],
    Rating.GREEN: ["On track; keep it up.", "Excellent effort this month.", "Secure at target grade."],
}


# Teachers' ratings follow how the pupil stands (tracking.standing), with a teacher's own judgement.
RAG_WEIGHTS = {
    "well_below": {Rating.RED: 0.6, Rating.AMBER: 0.3, Rating.GREEN: 0.1},
    "below": {Rating.RED: 0.3, Rating.AMBER: 0.5, Rating.GREEN: 0.2},
    "on": {Rating.RED: 0.05, Rating.AMBER: 0.35, Rating.GREEN: 0.6},
    "above": {Rating.RED: 0.02, Rating.AMBER: 0.13, Rating.GREEN: 0.85},
    None: {Rating.RED: 0.12, Rating.AMBER: 0.33, Rating.GREEN: 0.55},
}


def _standings(school, year, pupil_ids):
    """{(pupil, subject): standing} at each pupil's latest graded point this year, judged in SQL."""
    entries = GradeEntry.objects.filter(
        pupil_id__in=pupil_ids, point__academic_year=year, current__isnull=False
    ).order_by("pupil_id", "subject_id", "point__sequence")
    out = {}
    for row in standing.annotate_standing(entries, standing.Thresholds.of(school)).values(
        "pupil_id", "subject_id", "standing"
    ):
        out[(row["pupil_id"], row["subject_id"])] = row["standing"]  # later points overwrite earlier
    return out


def add_demo_rag(built):
    """Last month's Academic RAG (closed, complete) and this month's, open today with most ratings in.

    `teacher.maths` still has pupils to rate; `slt` has red comments to act on; the actions already
    made reach `hod.maths` and `mentor`.
    """
    today = getattr(built, "today", timezone.localdate())
    rng = random.Random(13)
    school, year = built.school, built.current_year
    y11 = [p for p in built.pupils if p.year_group.number == 11]
    year_group = y11[0].year_group if y11 else None
    if year_group is None:
        return 0
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    windows = []
    for month, opens, closes in (
        (last_month, last_month + timedelta(days=2), last_month + timedelta(days=11)),
        (this_month, this_month + timedelta(days=2), today + timedelta(days=7)),
    ):
        if month < year.starts_on.replace(day=1):
            continue
        window = RagWindow.objects.create(
            school=school, academic_year=year, month=month, opens_on=min(opens, today), closes_on=closes
        )
        window.year_groups.set([year_group])
        windows.append(window)
    teachers = {}
    ids = {p.pk for p in y11}
    for group in TeachingGroup.objects.filter(academic_year=year, year_group=year_group).prefetch_related(
        "teachers__user", "pupils"
    ):
        teacher = next(iter(group.teachers.all()), None)
        if teacher is None:
            continue
        for pupil in group.pupils.all():
            if pupil.pk in ids:
                teachers[(pupil.pk, group.subject_id)] = teacher
    maths_teacher = built.staff["teacher.maths"].pk
    stands = _standings(school, year, ids)
    entries, previous = [], {}
    for window in windows:
        current = window.month == this_month
        for (pupil_id, subject_id), teacher in sorted(teachers.items()):
            if current and (teacher.pk == maths_teacher and rng.random() < 0.6 or rng.random() < 0.25):
                continue  # still to rate this month
            before = previous.get((pupil_id, subject_id))
            weights = RAG_WEIGHTS.get(stands.get((pupil_id, subject_id)), RAG_WEIGHTS[None])
            if before is not None and rng.random() < 0.7:
                rating = before
            else:
                rating = rng.choices(list(weights), weights=list(weights.values()))[0]
            previous[(pupil_id, subject_id)] = rating
            entries.append(
                RagEntry(
                    window=window,
                    school=school,
                    pupil_id=pupil_id,
                    subject_id=subject_id,
                    rating=rating,
                    comment=rng.choice(RAG_COMMENTS[rating]),
                    by=teacher.user,
                    updated_at=timezone.make_aware(datetime.combine(window.opens_on, time(16, 0))),
                )
            )
    RagEntry.objects.bulk_create(entries, batch_size=2000)
    _demo_rag_actions(built, windows, rng)
    return len(entries)


def _demo_rag_actions(built, windows, rng):
    school = built.school
    slt = built.staff["slt"]
    mentor_of = dict(
        MentorAssignment.objects.filter(academic_year=built.current_year).values_list("pupil_id", "mentor_id")
    )
    hods = {
        role.department_id: role.staff_id
        for role in StaffRole.objects.filter(staff__school=school, role=Role.HEAD_OF_DEPARTMENT)
    }
    own = {p for p, m in mentor_of.items() if m == built.staff["mentor"].pk}
    actions = []
    for window in windows:
        reds = list(
            RagEntry.objects.filter(window=window, rating=Rating.RED).select_related("subject").order_by("pk")
        )
        chosen = [e for e in reds if e.pupil_id in own][:4] + [
            e for e in reds if e.subject.name == "Mathematics"
        ][:4]
        chosen += rng.sample(reds, min(10, len(reds)))
        seen = set()
        for index, entry in enumerate(chosen):
            if entry.pk in seen:
                continue
            seen.add(entry.pk)
            kind = (ActionOwner.HEAD_OF_DEPARTMENT, ActionOwner.MENTOR, ActionOwner.SLT)[index % 3]
            owner_id = {
                ActionOwner.HEAD_OF_DEPARTMENT: hods.get(entry.subject.department_id),
                ActionOwner.MENTOR: mentor_of.get(entry.pupil_id),
                ActionOwner.SLT: slt.pk,
            }[kind] or slt.pk
            text = {
                ActionOwner.HEAD_OF_DEPARTMENT: f"{entry.subject.name} catch-up group; work checked weekly.",
                ActionOwner.MENTOR: "Talk it through at the next meeting and agree a homework plan.",
                ActionOwner.SLT: "Letter home and a parents' meeting with the assistant head.",
            }[kind]
            actions.append(
                RagAction(
                    school=school,
                    window=window,
                    entry=entry,
                    pupil_id=entry.pupil_id,
                    subject=entry.subject,
                    text=text,
                    owner_kind=kind,
                    owner_id=owner_id,
                    due_on=window.closes_on + timedelta(days=14),
                    status=ActionStatus.DONE
                    if window is not windows[-1] and rng.random() < 0.6
                    else ActionStatus.OPEN,
                    created_by=slt.user,
                    created_at=timezone.make_aware(datetime.combine(window.closes_on, time(9, 0))),
                )
            )
    RagAction.objects.bulk_create(actions)
    if len(windows) > 1:
        mentors = sorted({m for m in mentor_of.values()})[:8]
        RagBreakfast.objects.bulk_create(
            [
                RagBreakfast(
                    window=windows[0],
                    mentor_id=m,
                    feedback="Most mentees are on track; two need help organising revision.",
                    further_actions="Parents' evening invitations for the reds.",
                    updated_at=timezone.now(),
                )
                for m in mentors
            ]
        )
