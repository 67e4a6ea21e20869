"""Who sees the Agreement for Examination Success chase list, and whose pupils it holds.

Built on tracking.permissions: SLT, the data team and the SENCos see every Year 11 pupil's agreement;
form tutors, heads of year and mentors their own pupils'.
"""

from tracking import permissions
from tracking.models import Role


def can_see_agreements(user):
    return permissions.access_for(user).whole_school_reader or permissions.has_role(
        user, Role.FORM_TUTOR, Role.HEAD_OF_YEAR, Role.MENTOR
    )


def agreement_pupils_visible_to(user):
    """The pupils whose agreements the user sees and records."""
    if permissions.access_for(user).whole_school_reader:
        return permissions.pupils_visible_to(user)
    return permissions.pupils_in_care_of(user)
