"""Who sees the impact of plans and sessions against similar pupils: the whole-school readers (SLT
lead the evaluation at week six of the cycle). Built on tracking.permissions."""

from tracking import permissions


def can_see_impact(user):
    return permissions.is_whole_school(user)
