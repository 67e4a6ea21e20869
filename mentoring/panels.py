"""Mentoring on other pages: the mentor's home panel (their mentees), the teachers' Academic RAG panel,
and the "send a mentoring slip" button on a pupil's page."""

from django.urls import reverse
from django.utils import timezone

from tracking import permissions

from . import queries
from .models import MentorAssignment
from .rag import access
from .rag.queries import open_window, rating_progress


def has_mentees(user):
    seen = permissions.access_for(user)
    return seen.staff is not None and mentees_of(seen.staff).exists()


def mentees_of(staff):
    return MentorAssignment.objects.filter(mentor=staff, academic_year__is_current=True)


def my_mentees(user):
    staff = permissions.access_for(user).staff
    pupil_ids = mentees_of(staff).values("pupil_id")
    pupils = (
        permissions.pupils_visible_to(user)
        .filter(pk__in=pupil_ids)
        .select_related("form", "year_group")
        .order_by("legal_last_name", "legal_first_name")
    )
    return {"mentees": list(pupils)}


def slip_action(user, pupil):
    """On a pupil's page: "Send a mentoring slip" for a teacher of the pupil who has a mentor this year.

    Scoped as the slip form is (tracking.permissions: a teacher, teaching this pupil, in a mentored year)."""
    if not permissions.can_send_mentoring_slips(user):
        return None
    # The pupil's mentor, read only if the user may send a slip about the pupil: one read, not two.
    assignment = (
        MentorAssignment.objects.filter(
            pupil=pupil, academic_year__is_current=True, pupil__in=queries.slip_pupils(user, pupil.school)
        )
        .select_related("mentor__user")
        .first()
    )
    if assignment is None:
        return None
    mentor = assignment.mentor
    return {
        "label": f"Send a mentoring slip to {mentor}",
        "url": reverse("mentoring:slip_new", args=[pupil.pk]),
    }


def _open_window(user):
    """This month's open Academic RAG window for the user's school, looked up once per request (the home
    page asks whether to show the panel, then fills it)."""
    if not hasattr(user, "_uplift_open_rag_window"):
        school = permissions.school_for(user)
        found = open_window(school, timezone.localdate()) if school is not None else None
        user._uplift_open_rag_window = found
    return user._uplift_open_rag_window


def rag_is_open_for(user):
    """Teachers (who rate the mentored pupils they teach) while this month's Academic RAG is open."""
    return access.can_rate(user) and _open_window(user) is not None


def rag_to_do(user):
    """The open window, its year groups, and how many of the teacher's pupils in them still await a rating."""
    window = _open_window(user)
    pupils, waiting = rating_progress(user, window)
    years = [f"Year {n}" for n in window.year_groups.order_by("number").values_list("number", flat=True)]
    return {"window": window, "pupils": pupils, "waiting": waiting, "years": " and ".join(years)}
