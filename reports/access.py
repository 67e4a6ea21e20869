"""Who may see and make reports. Built on tracking.permissions (the one access policy): scopes there,
report rules here. Out of scope is a 404."""

from django.http import Http404

from tracking import permissions
from tracking.models import Role

from .models import PupilReport, ReportRun, ReportStatus


def can_choose_fields(user):
    """Which fields each kind of report shows is the data manager's choice."""
    return permissions.is_data_manager(user) and permissions.school_for(user) is not None


def can_run_reports(user):
    """Report runs (batches) and publishing: the data manager and SLT."""
    return (permissions.is_data_manager(user) or permissions.is_slt(user)) and permissions.school_for(
        user
    ) is not None


def can_write_comments(user):
    """Form tutors and academic mentors write the report comments for their own pupils."""
    return permissions.is_staff_member(user) and permissions.has_role(user, Role.FORM_TUTOR, Role.MENTOR)


def runs_visible_to(user):
    if not can_run_reports(user):
        return ReportRun.objects.none()
    return ReportRun.objects.filter(school_id__in=permissions.access_for(user).school_ids)


def get_run_or_404(user, pk):
    try:
        return runs_visible_to(user).select_related("point", "year_group", "form", "school").get(pk=pk)
    except (ReportRun.DoesNotExist, ValueError):
        raise Http404("No such report run") from None


def reports_visible_to(user):
    """Stored reports a user may download: staff, any report of a pupil they may see (a preview,
    published or not); families, their own children's published reports only."""
    pupils = permissions.pupils_visible_to(user)
    qs = PupilReport.objects.filter(pupil__in=pupils, status=ReportStatus.DONE)
    if permissions.is_staff_member(user):
        return qs
    # Families: published runs only, and only the newest published version of each run.
    return qs.filter(run__published_at__isnull=False).exclude(run__replaced_by__published_at__isnull=False)


def get_report_or_404(user, pk):
    try:
        return reports_visible_to(user).select_related("run__point", "pupil").get(pk=pk)
    except (PupilReport.DoesNotExist, ValueError):
        raise Http404("No such report") from None


def can_preview(user, pupil):
    """Staff preview a report for any pupil they may see."""
    return permissions.is_staff_member(user) and permissions.can_see_pupil(user, pupil)


def get_family_child_or_404(user, pk):
    """The family page: a parent's own child (anyone else's id is a 404); staff who may see the pupil
    preview what the family sees."""
    return permissions.get_pupil_or_404(user, pk)


def comment_pupils(user, role):
    """Pupils whose report comment a user writes in a role: a tutor's forms, a mentor's mentees (this
    year). Always within pupils_visible_to."""
    from mentoring.models import MentorAssignment  # noqa: PLC0415 - reports sits above mentoring

    from .models import ReportComment

    pupils = permissions.pupils_visible_to(user)
    staff = permissions.access_for(user).staff
    if staff is None or not permissions.is_staff_member(user):
        return pupils.none()
    if role == ReportComment.Role.TUTOR:
        return pupils.filter(form__tutors=staff, form__academic_year__is_current=True)
    if role == ReportComment.Role.MENTOR:
        mentees = MentorAssignment.objects.filter(mentor=staff, academic_year__is_current=True)
        return pupils.filter(pk__in=mentees.values("pupil_id"))
    return pupils.none()


def comment_roles(user):
    """The roles a user writes report comments in (empty: no comments page)."""
    from .models import ReportComment

    return [role for role in ReportComment.Role if comment_pupils(user, role).exists()]
