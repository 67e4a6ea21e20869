from django.db.models import Q

from .models import MentorAssignment


def mentees(user, access):
    """A mentor sees their current mentees."""
    if access.staff is None:
        return Q(pk__in=[])
    assigned = MentorAssignment.objects.filter(mentor=access.staff, academic_year__is_current=True)
    return Q(pk__in=assigned.values("pupil_id"))
