"""The Year 11 agreements a user follows, the chase list and the counts SLT see."""

from django.db.models import FilteredRelation, Q

from tracking.models import AcademicYear

FIELDS = ("issued_on", "pupil_signed_on", "parent_signed_on", "returned_on")


def current_year(school):
    return AcademicYear.objects.filter(school=school, is_current=True).first()


def year_11(pupils):
    """The Year 11 pupils among `pupils`, by form then name."""
    return pupils.filter(year_group__number=11).order_by("form__name", "legal_last_name", "legal_first_name")


def dates_by_pupil(pupils, year):
    """[(pupil id, {field: date})] for `pupils` in their order, with this year's agreement's dates ({}
    without one): one query and no rows built, so a school's whole Year 11 is counted cheaply."""
    rows = pupils.annotate(
        agreement=FilteredRelation("exam_agreements", condition=Q(exam_agreements__academic_year=year))
    ).values_list("pk", "agreement__pk", *(f"agreement__{name}" for name in FIELDS))
    return [(pk, dict(zip(FIELDS, dates, strict=True)) if found else {}) for pk, found, *dates in rows]


def stage_of(dates):
    """The stage of an agreement from its dates ({field: date}; None or {} before one is made)."""
    dates = dates or {}
    if not dates.get("issued_on"):
        return "not_issued"
    if dates.get("returned_on"):
        return "returned"
    if dates.get("pupil_signed_on") and dates.get("parent_signed_on"):
        return "signed"
    return "issued"


STAGE_LABELS = {
    "not_issued": "Not issued",
    "issued": "Issued, not signed",
    "signed": "Signed, not returned",
    "returned": "Returned",
}


def counts(stages):
    """{stage: how many} of a list of stages, every stage named."""
    out = dict.fromkeys(STAGE_LABELS, 0)
    for stage in stages:
        out[stage] += 1
    return out
