"""Printed monthly RAG sheets (WeasyPrint, A4): a page or more per mentee, one document per mentor.

Each mentee's page: every subject's rating and comment this month (the school's words, so it reads in
black and white), this month's actions, target against current, predicted and expected grades (from
tracking.standing through the workspace cards), the last meeting, and ruled space for notes.
"""

import time

from django.template.loader import render_to_string
from django.utils import timezone

from tracking.lib import pdf
from tracking.school import theme

from .. import workspace
from ..models import MentorAssignment, MentorMeeting
from . import queries, words


def mentor_context(window, mentor, today=None):
    """Everything one mentor's sheets show, in a fixed number of queries."""
    today = today or timezone.localdate()
    school = window.school
    assigned = MentorAssignment.objects.filter(mentor=mentor, academic_year=window.academic_year).values(
        "pupil_id"
    )
    pupils = list(
        school.pupils.filter(pk__in=assigned, is_active=True)
        .select_related("form", "year_group")
        .order_by("form__name", "legal_last_name", "legal_first_name", "pk")
    )
    ids = [p.pk for p in pupils]
    cards = workspace.cards_for(pupils, school, window.academic_year, today)
    ratings = {}
    for entry in queries.entries_in(window, ids):
        ratings.setdefault(entry.pupil_id, {})[entry.subject_id] = entry
    actions = {}
    for action in queries.actions_for(ids, window):
        actions.setdefault(action.pupil_id, []).append(action)
    last_meetings = {}
    for meeting in MentorMeeting.objects.filter(pupil_id__in=ids).order_by("pupil_id", "-held_on", "-pk"):
        last_meetings.setdefault(meeting.pupil_id, meeting)
    pages = []
    for card in cards:
        rated = ratings.get(card.pupil.pk, {})
        subject_ids = {line.subject.pk for line in card.subjects}
        extra = [e for sid, e in rated.items() if sid not in subject_ids]
        pages.append(
            {
                "card": card,
                "lines": [(line, rated.get(line.subject.pk)) for line in card.subjects],
                "extra_ratings": extra,
                "actions": actions.get(card.pupil.pk, []),
                "meeting": last_meetings.get(card.pupil.pk),
            }
        )
    return {"window": window, "mentor": mentor, "school": school, "pages": pages, "printed_on": today}


def render_mentor(window, mentor, today=None):
    """One mentor's sheets as a WeasyPrint Document (not yet written), and how many mentees it holds."""
    context = mentor_context(window, mentor, today)
    chosen = words.settings_for(window.school)
    context["rag_words"] = words.labels(chosen)
    context["colours"] = {k: theme.safe_colour(v) for k, v in words.colours(chosen).items()}
    html = render_to_string("mentoring/rag/print.html", context)
    return pdf.document(html), len(context["pages"])


def render_many(window, mentors, progress=None, today=None):
    """Every mentor's sheets in one PDF (page numbers restart for each mentor). Returns (bytes, seconds)."""
    started = time.monotonic()
    documents = []
    for index, mentor in enumerate(mentors, start=1):
        document, _ = render_mentor(window, mentor, today)
        documents.append(document)
        if progress is not None:
            progress(index)
    if not documents:
        return b"", time.monotonic() - started
    pages = [page for document in documents for page in document.pages]
    content = pdf.write(documents[0].copy(pages))
    return content, time.monotonic() - started
