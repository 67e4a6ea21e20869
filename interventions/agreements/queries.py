"""The Year 11 agreements a user follows, the chase list and the counts SLT see."""

from tracking.models import AcademicYear

from .models import ExamAgreement


def current_year(school):
    return AcademicYear.objects.filter(school=school, is_current=True).first()


def rows(pupils, year):
    """[(pupil, agreement or None)] for Year 11 pupils, by form then name."""
    pupils = list(
        pupils.filter(year_group__number=11)
        .select_related("form")
        .order_by("form__name", "legal_last_name", "legal_first_name")
    )
    found = {a.pupil_id: a for a in ExamAgreement.objects.filter(academic_year=year, pupil__in=pupils)}
    return [(p, found.get(p.pk)) for p in pupils]


def stage_of(agreement):
    if agreement is None or not agreement.issued_on:
        return "not_issued"
    if agreement.returned_on:
        return "returned"
    if agreement.pupil_signed_on and agreement.parent_signed_on:
        return "signed"
    return "issued"


STAGE_LABELS = {
    "not_issued": "Not issued",
    "issued": "Issued, not signed",
    "signed": "Signed, not returned",
    "returned": "Returned",
}


def counts(all_rows):
    out = {stage: 0 for stage in STAGE_LABELS}
    for _, agreement in all_rows:
        out[stage_of(agreement)] += 1
    return out
