"""Concern slips a mentor has not yet discussed: reasons to talk to a pupil (tracking.dashboards.concerns)."""

from .models import MentoringSlip, SlipKind


def undiscussed_slips(pupil_ids, school):
    """One reason per pupil with concern slips undiscussed this year, naming the subjects (one query)."""
    slips = {}
    for pupil_id, subject in (
        MentoringSlip.objects.filter(
            school=school,
            pupil_id__in=pupil_ids,
            kind=SlipKind.CONCERN,
            discussed_at__isnull=True,
            academic_year__is_current=True,
        )
        .values_list("pupil_id", "subject__name")
        .order_by("pupil_id", "subject__name")
    ):
        slips.setdefault(pupil_id, []).append(subject)
    for pupil_id, subjects in slips.items():
        word = "slip" if len(subjects) == 1 else "slips"
        yield pupil_id, f"Concern {word} not yet discussed ({', '.join(dict.fromkeys(subjects))})"
