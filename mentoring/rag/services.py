"""Every write of the monthly Academic RAG: windows, ratings, actions, breakfast feedback, sheet jobs.

Longfield: each month the Academic RAG opens for teachers to comment on Year 11 (the mentored year
groups); SLT create actions from it that heads of department and mentors see; mentors feed back at
the monthly Mentoring RAG Breakfast. Each function validates first, writes and audits in one
transaction, and raises DomainError with a message for the person asking.
"""

import calendar
from datetime import date, timedelta

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from tracking import audit
from tracking.lib.errors import DomainError
from tracking.lib.queue import safe_enqueue

from ..models import (
    RAG_SHEETS_KEPT_DAYS,
    ActionOwner,
    ActionStatus,
    MentoringSettings,
    RagAction,
    RagBreakfast,
    RagEntry,
    RagSheetJob,
    RagWindow,
    Rating,
)
from ..queries import current_year, mentored_year_groups
from . import words


def default_dates(settings, month):
    """The window for `month` by the school's choice of opening day and length."""
    last = calendar.monthrange(month.year, month.month)[1]
    opens = month.replace(day=min(max(settings.rag_opens_day, 1), 28))
    closes = min(opens + timedelta(days=max(settings.rag_days_open, 1) - 1), month.replace(day=last))
    return opens, closes


def _check_dates(month, opens_on, closes_on):
    if opens_on is None or closes_on is None:
        raise DomainError("no_dates", "Give the day the RAG opens and the day it closes.")
    if closes_on < opens_on:
        raise DomainError("dates_order", "The RAG must close on or after the day it opens.")
    if (opens_on.year, opens_on.month) != (month.year, month.month):
        raise DomainError("dates_month", f"The {month:%B} RAG must open in {month:%B %Y}.")


@transaction.atomic
def rag_window_open(*, school, month, opens_on=None, closes_on=None, by=None):
    """Open the Academic RAG for a month (the scheduler does this on the school's day; SLT may too).

    Returns the window; a month already opened is returned unchanged.
    """
    month = month.replace(day=1)
    existing = RagWindow.objects.filter(school=school, month=month).first()
    if existing is not None:
        return existing
    year = current_year(school)
    if year is None:
        raise DomainError("no_year", "The school has no current academic year.")
    settings = words.settings_for(school)
    default_open, default_close = default_dates(settings, month)
    opens_on, closes_on = opens_on or default_open, closes_on or default_close
    _check_dates(month, opens_on, closes_on)
    year_groups = list(mentored_year_groups(school))
    window = RagWindow.objects.create(
        school=school, academic_year=year, month=month, opens_on=opens_on, closes_on=closes_on
    )
    window.year_groups.set(year_groups)
    audit.record(
        action="mentoring.rag.opened",
        obj=window,
        by=by,
        after={
            "month": month.isoformat(),
            "opens_on": opens_on.isoformat(),
            "closes_on": closes_on.isoformat(),
            "year_groups": sorted(yg.number for yg in year_groups),
        },
    )
    return window


@transaction.atomic
def rag_window_dates_set(*, window, opens_on, closes_on, by):
    """SLT move a window's dates (e.g. open it early, or give teachers longer)."""
    window = RagWindow.objects.select_for_update().get(pk=window.pk)
    _check_dates(window.month, opens_on, closes_on)
    before = {"opens_on": window.opens_on.isoformat(), "closes_on": window.closes_on.isoformat()}
    window.opens_on, window.closes_on = opens_on, closes_on
    window.save(update_fields=["opens_on", "closes_on"])
    after = {"opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()}
    if before != after:
        audit.record(action="mentoring.rag.dates_changed", obj=window, by=by, before=before, after=after)
    return window


def _closed_message(window, today):
    if today < window.opens_on:
        return f"The {window.month:%B} Academic RAG opens on {window.opens_on:%-d %B}; nothing was saved."
    return f"The {window.month:%B} Academic RAG closed on {window.closes_on:%-d %B}; nothing was saved."


@transaction.atomic
def rag_entries_save(*, window, subject, pupils, rows, by, today):
    """Save a teacher's ratings for pupils in one subject: rows = {pupil_id: (rating, comment)}.

    A blank rating with no comment clears nothing and adds nothing. Every row is checked before any is
    written; outside the window nothing is saved. Returns the number of ratings added or changed.
    """
    if not window.is_open_on(today):
        raise DomainError("rag_closed", _closed_message(window, today))
    allowed = {p.pk: p for p in pupils}
    problems, wanted = [], {}
    for pupil_id, (rating, comment) in rows.items():
        pupil = allowed.get(pupil_id)
        if pupil is None:
            raise DomainError("not_your_pupil", "One of those pupils is not in your group for this subject.")
        comment = (comment or "").strip()
        if not rating and not comment:
            continue
        if rating not in Rating.values:
            problems.append(f"{pupil.full_name}: choose a rating for the comment.")
            continue
        if len(comment) > 500:
            problems.append(f"{pupil.full_name}: keep the comment under 500 characters.")
            continue
        wanted[pupil_id] = (rating, comment)
    if problems:
        raise DomainError("rag_invalid", " ".join(problems))
    existing = {
        e.pupil_id: e
        for e in RagEntry.objects.select_for_update().filter(
            window=window, subject=subject, pupil_id__in=wanted
        )
    }
    now, new, changed, events = timezone.now(), [], [], []
    for pupil_id, (rating, comment) in wanted.items():
        entry = existing.get(pupil_id)
        if entry is None:
            entry = RagEntry(
                window=window,
                school_id=window.school_id,
                pupil_id=pupil_id,
                subject=subject,
                rating=rating,
                comment=comment,
                by=by,
                updated_at=now,
            )
            new.append(entry)
            continue
        if (entry.rating, entry.comment) == (rating, comment):
            continue
        before = {"rating": entry.rating, "comment": entry.comment}
        entry.rating, entry.comment, entry.by, entry.updated_at = rating, comment, by, now
        entry.version += 1
        changed.append(entry)
        events.append(_entry_event(entry, by, before))
    RagEntry.objects.bulk_update(changed, ["rating", "comment", "by", "updated_at", "version"])
    for entry in RagEntry.objects.bulk_create(new):
        events.append(_entry_event(entry, by, None))
    if events:
        audit.record_many(events)
    return len(new) + len(changed)


def _entry_event(entry, by, before):
    return {
        "action": "mentoring.rag.rated",
        "obj": entry,
        "by": by,
        "pupil_id": entry.pupil_id,
        "via": "academic_rag",
        "before": before or {},
        "after": {"subject_id": entry.subject_id, "rating": entry.rating, "comment": entry.comment},
    }


@transaction.atomic
def rag_action_create(*, entry, text, owner_kind, owner, due_on, by, today):
    """SLT turn a RAG comment into an action with an owner (head of department, mentor or SLT)."""
    text = (text or "").strip()
    if not text:
        raise DomainError("no_text", "Say what will be done.")
    if owner_kind not in ActionOwner.values:
        raise DomainError("owner_kind", "Choose whose action it is.")
    if owner is None or owner.school_id != entry.school_id:
        raise DomainError("no_owner", "Choose the member of staff who owns the action.")
    if due_on is None or due_on < today:
        raise DomainError("due_past", "Give a due date from today on.")
    action = RagAction.objects.create(
        school_id=entry.school_id,
        window_id=entry.window_id,
        entry=entry,
        pupil_id=entry.pupil_id,
        subject_id=entry.subject_id,
        text=text,
        owner_kind=owner_kind,
        owner=owner,
        due_on=due_on,
        created_by=by,
        created_at=timezone.now(),
    )
    audit.record(
        action="mentoring.rag_action.created",
        obj=action,
        by=by,
        pupil=entry.pupil,
        after={"owner": str(owner), "owner_kind": owner_kind, "due_on": due_on.isoformat(), "text": text},
    )
    return action


@transaction.atomic
def rag_action_status_set(*, action, status, by):
    if status not in ActionStatus.values:
        raise DomainError("status", "Choose open, in progress or done.")
    action = RagAction.objects.select_for_update().get(pk=action.pk)
    if action.status == status:
        return action
    before = {"status": action.status}
    action.status = status
    action.save(update_fields=["status"])
    audit.record(
        action="mentoring.rag_action.status",
        obj=action,
        by=by,
        pupil=action.pupil,
        before=before,
        after={"status": status},
    )
    return action


@transaction.atomic
def rag_breakfast_save(*, window, mentor, feedback, further_actions, by):
    """A mentor's feedback from the month's Mentoring RAG Breakfast (one per mentor per month)."""
    feedback = (feedback or "").strip()
    if not feedback:
        raise DomainError("no_feedback", "Write the feedback you gave at the breakfast.")
    row, _ = RagBreakfast.objects.update_or_create(
        window=window,
        mentor=mentor,
        defaults={
            "feedback": feedback,
            "further_actions": (further_actions or "").strip(),
            "updated_at": timezone.now(),
        },
    )
    return row


@transaction.atomic
def rag_sheets_request(*, window, mentor, by):
    """Ask the worker for the printed RAG sheets: one mentor's, or every mentor's (mentor=None)."""
    from .tasks import make_rag_sheets  # noqa: PLC0415 - the task module imports the PDF code

    job = RagSheetJob.objects.create(
        school_id=window.school_id, window=window, mentor=mentor, requested_by=by, requested_at=timezone.now()
    )
    safe_enqueue(make_rag_sheets, job.pk)
    return job


def rag_sheets_kept_days(school):
    """How long the school keeps printed RAG sheets (its MentoringSettings; two months without one)."""
    kept = MentoringSettings.objects.filter(school=school).values_list("rag_sheets_kept_days", flat=True)
    return kept.first() or RAG_SHEETS_KEPT_DAYS


@transaction.atomic
def rag_sheets_expire(*, now=None):
    """Delete printed RAG sheets older than their school keeps them (the nightly beat task).

    A sheet's age runs from when it was made (or asked for, if it never finished). The PDFs hold every
    mentee's ratings and teachers' comments; the ratings themselves stay, so a sheet can be made again.
    Each deletion is audited. Returns how many jobs were deleted.
    """
    now = now or timezone.now()
    kept = dict(MentoringSettings.objects.values_list("school_id", "rag_sheets_kept_days"))
    jobs = RagSheetJob.objects.annotate(made_at=Coalesce("finished_at", "requested_at"))
    expired = [
        job
        for job in jobs.only("pk", "school_id", "window_id", "mentor_id", "requested_at", "finished_at")
        if job.made_at < now - timedelta(days=kept.get(job.school_id) or RAG_SHEETS_KEPT_DAYS)
    ]
    if not expired:
        return 0
    RagSheetJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    audit.record_many(
        [
            {"action": "mentoring.rag_sheets.deleted", "obj": job, "by": None, "via": "scheduler",
             "after": {"made_at": job.made_at.isoformat(),
                       "kept_days": kept.get(job.school_id) or RAG_SHEETS_KEPT_DAYS}}
            for job in expired
        ]
    )  # fmt: skip
    return len(expired)


def this_month(today):
    return date(today.year, today.month, 1)
