"""The mentor's home panel: their mentees with where each stands."""

from tracking import permissions

from .models import MentorAssignment


def has_mentees(user):
    access = permissions.access_for(user)
    return access.staff is not None and mentees_of(access.staff).exists()


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
