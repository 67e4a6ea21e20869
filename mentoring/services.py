"""Every write in mentoring allocation: the mentored year groups, assigning, moving and unassigning.

SLT decide who mentors whom (Longfield policy). Each function validates everything first, then
writes and audits in one transaction, and raises DomainError with a message for the person asking.
"""

from django.db import transaction
from django.utils import timezone

from tracking import audit
from tracking.lib.errors import DomainError
from tracking.lib.queue import safe_enqueue
from tracking.models import Role

from . import queries
from .models import MentorAssignment, MentoringSettings, MentoringSlip, MentorMeeting, RagAction, RagEntry
from .tasks import send_slip_email


def _years(year_groups):
    return sorted(yg.number for yg in year_groups)


@transaction.atomic
def mentored_years_set(*, school, year_groups, by):
    """Choose which year groups are mentored (e.g. Year 11, or Years 10 and 11)."""
    year_groups = list(year_groups)
    if not year_groups:
        raise DomainError("no_years", "Choose at least one year group to mentor.")
    if any(yg.school_id != school.pk for yg in year_groups):
        raise DomainError("wrong_school", "Those year groups belong to another school.")
    before = _years(queries.mentored_year_groups(school))
    settings, _ = MentoringSettings.objects.select_for_update().get_or_create(school=school)
    settings.year_groups.set(year_groups)
    after = _years(year_groups)
    if before != after:
        audit.record(
            action="mentoring.years.changed",
            obj=settings,
            by=by,
            before={"year_groups": before},
            after={"year_groups": after},
        )
    return settings


def _current_year(school):
    year = queries.current_year(school)
    if year is None:
        raise DomainError("no_year", "The school has no current academic year.")
    return year


def _check_pupils(school, pupils):
    pupils = list(pupils)
    if not pupils:
        raise DomainError("no_pupils", "Choose at least one pupil.")
    if any(p.school_id != school.pk or not p.is_active for p in pupils):
        raise DomainError("wrong_school", "Some of those pupils are not on this school's roll.")
    return pupils


def _mentor_json(mentor):
    return {"mentor_id": mentor.pk, "mentor": str(mentor)}


@transaction.atomic
def mentor_assign(*, school, mentor, pupils, by):
    """Give pupils a mentor for this year: new mentees, or moved from their current mentor.

    Returns (assigned, moved, unchanged) counts. Every pupil must be in a mentored year group and
    the mentor must hold the mentor role at the school; otherwise nothing is saved.
    """
    pupils = _check_pupils(school, pupils)
    if mentor.school_id != school.pk or not mentor.roles.filter(role=Role.MENTOR).exists():
        raise DomainError("not_a_mentor", f"{mentor} is not a mentor at this school.")
    mentored = set(queries.mentored_year_groups(school).values_list("pk", flat=True))
    outside = [p for p in pupils if p.year_group_id not in mentored]
    if outside:
        names = ", ".join(p.full_name for p in outside[:3])
        raise DomainError("not_mentored_year", f"Only pupils in mentored year groups get a mentor: {names}.")
    year = _current_year(school)
    existing = {
        a.pupil_id: a
        for a in MentorAssignment.objects.select_for_update()
        .filter(academic_year=year, pupil__in=pupils)
        .select_related("mentor__user")
    }
    events, moved, new, unchanged = [], [], [], 0
    for pupil in pupils:
        current = existing.get(pupil.pk)
        if current is None:
            new.append(MentorAssignment(school=school, academic_year=year, mentor=mentor, pupil=pupil))
        elif current.mentor_id == mentor.pk:
            unchanged += 1
        else:
            events.append(
                {
                    "action": "mentoring.mentor.moved",
                    "obj": current,
                    "by": by,
                    "pupil": pupil,
                    "before": _mentor_json(current.mentor),
                    "after": _mentor_json(mentor),
                }
            )
            current.mentor = mentor
            moved.append(current)
    MentorAssignment.objects.bulk_update(moved, ["mentor"])
    for assignment in MentorAssignment.objects.bulk_create(new):
        events.append(
            {
                "action": "mentoring.mentor.assigned",
                "obj": assignment,
                "by": by,
                "pupil": assignment.pupil,
                "after": _mentor_json(mentor),
            }
        )
    if events:
        audit.record_many(events)
    return len(new), len(moved), unchanged


@transaction.atomic
def mentor_unassign(*, school, pupils, by):
    """Take pupils' mentor away for this year; returns how many had one."""
    pupils = _check_pupils(school, pupils)
    year = _current_year(school)
    assignments = list(
        MentorAssignment.objects.select_for_update()
        .filter(academic_year=year, pupil__in=pupils)
        .select_related("mentor__user", "pupil")
    )
    events = [
        {
            "action": "mentoring.mentor.unassigned",
            "obj": a,
            "by": by,
            "pupil": a.pupil,
            "before": _mentor_json(a.mentor),
        }
        for a in assignments
    ]
    MentorAssignment.objects.filter(pk__in=[a.pk for a in assignments]).delete()
    if events:
        audit.record_many(events)
    return len(assignments)


@transaction.atomic
def meeting_log(*, pupil, mentor, data, by, today, slips=()):
    """Record a mentor's meeting with their mentee: formal or informal, what was discussed, agreed, next.

    The date may not be in the future nor before the academic year began.
    """
    year = _current_year(pupil.school)
    held_on = data["held_on"]
    if held_on > today:
        raise DomainError("future_meeting", "A meeting cannot be logged for a date still to come.")
    if held_on < year.starts_on:
        raise DomainError("old_meeting", f"Log meetings from this academic year ({year.name}) only.")
    if not MentorAssignment.objects.filter(academic_year=year, pupil=pupil, mentor=mentor).exists():
        raise DomainError("not_mentee", f"{pupil.full_name} is not {mentor}'s mentee this year.")
    meeting = MentorMeeting.objects.create(
        school=pupil.school,
        academic_year=year,
        pupil=pupil,
        mentor=mentor,
        recorded_by=by,
        recorded_at=timezone.now(),
        **{name: data[name] for name in MEETING_FIELDS},
    )
    slips = [s for s in slips if s.pupil_id == pupil.pk and s.mentor_id == mentor.pk]
    if slips:
        MentoringSlip.objects.filter(pk__in=[s.pk for s in slips], discussed_at__isnull=True).update(
            discussed_at=meeting.recorded_at, meeting=meeting
        )
    audit.record(
        action="mentoring.meeting.logged",
        obj=meeting,
        by=by,
        pupil=pupil,
        after={
            "held_on": held_on.isoformat(),
            "kind": meeting.kind,
            "parents_involved": meeting.parents_involved,
        },
    )
    return meeting


MEETING_FIELDS = ("held_on", "kind", "discussed", "targets_agreed", "next_steps", "parents_involved")


@transaction.atomic
def slip_send(*, pupil, subject, kind, message, to_improve, by):
    """A teacher sends a slip about a pupil to the pupil's mentor; the mentor is emailed by the worker."""
    year = _current_year(pupil.school)
    mentor = queries.mentor_of(pupil, year)
    if mentor is None:
        raise DomainError(
            "no_mentor", f"{pupil.full_name} has no mentor this year, so there is nobody to send it to."
        )
    if not message.strip():
        raise DomainError("no_message", "Say what the mentor should know.")
    slip = MentoringSlip.objects.create(
        school=pupil.school,
        academic_year=year,
        pupil=pupil,
        subject=subject,
        kind=kind,
        message=message.strip(),
        to_improve=to_improve.strip(),
        sent_by=by.staff,
        mentor=mentor,
        sent_at=timezone.now(),
    )
    safe_enqueue(send_slip_email, slip.pk)
    return slip


@transaction.atomic
def slip_mark_discussed(*, slip, by):
    """The mentor has talked the slip through with the pupil; it joins the pupil's meeting log."""
    slip = MentoringSlip.objects.select_for_update().get(pk=slip.pk)
    if slip.discussed_at is None:
        slip.discussed_at = timezone.now()
        slip.save(update_fields=["discussed_at"])
    return slip


def free_text_forget(pupil_ids):
    """Retention: blank what mentoring wrote about leavers (meeting notes, slips, RAG comments, actions).

    The rows stay (dates, kinds, ratings) for the school's records; the words about the pupil go.
    """
    MentorMeeting.objects.filter(pupil_id__in=pupil_ids).update(
        discussed="", targets_agreed="", next_steps=""
    )
    MentoringSlip.objects.filter(pupil_id__in=pupil_ids).update(message="", to_improve="")
    RagEntry.objects.filter(pupil_id__in=pupil_ids).update(comment="")
    RagAction.objects.filter(pupil_id__in=pupil_ids).update(text="")
