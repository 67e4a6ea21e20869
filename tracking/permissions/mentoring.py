"""Mentoring: allocation, the workspace, slips and the Academic RAG."""

from tracking.models import Pupil, Role, Subject, TeachingGroup
from tracking.permissions.core import access_for, groups_taught_by, is_data_manager, is_slt, school_for

# -- mentoring ---------------------------------------------------------------------------------


def can_allocate_mentors(user):
    """Academic mentors are decided by SLT (Longfield policy); the data manager keeps the lists."""
    return (is_slt(user) or is_data_manager(user)) and school_for(user) is not None


def can_mentor(user):
    """Academic mentors keep a workspace for their own mentees (whoever else they are)."""
    access = access_for(user)
    return access.staff is not None and Role.MENTOR in access.roles and school_for(user) is not None


def can_see_mentoring_compliance(user):
    """Whether every mentee is met each month is SLT's to watch (Longfield), with the data manager."""
    return can_allocate_mentors(user)


def pupils_taught_by(user):
    """Pupils on roll in the groups a member of staff teaches this year."""
    through = TeachingGroup.pupils.through
    taught = through.objects.filter(teachinggroup__in=groups_taught_by(user)).values("pupil_id")
    return Pupil.objects.filter(pk__in=taught, is_active=True, school_id__in=access_for(user).school_ids)


def can_send_mentoring_slips(user):
    """Any teacher may send a mentoring slip about a pupil they teach (Hurworth: all staff)."""
    access = access_for(user)
    return access.staff is not None and Role.TEACHER in access.roles


def can_see_slips(user):
    """The slips page: a teacher sends slips from it, a mentor reads their inbox there."""
    return can_send_mentoring_slips(user) or can_mentor(user)


def slip_subjects(user, pupil):
    """The subjects in which this member of staff teaches this pupil this year: a slip's subject."""
    groups = groups_taught_by(user).filter(pupils=pupil)
    return Subject.objects.filter(pk__in=groups.values("subject_id")).order_by("name")
