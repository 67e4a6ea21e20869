"""Recording the Agreement for Examination Success: issued, signed by pupil and parent, returned."""

from django.db import transaction

from tracking import audit
from tracking.lib.errors import DomainError

from .models import ExamAgreement

FIELDS = ("issued_on", "pupil_signed_on", "parent_signed_on", "returned_on")


@transaction.atomic
def agreement_record(*, pupil, academic_year, by, **dates):
    """Set the agreement's dates for a Year 11 pupil; dates must follow each other."""
    unknown = set(dates) - set(FIELDS)
    if unknown:
        raise DomainError("not_editable", f"These cannot be set: {', '.join(sorted(unknown))}.")
    if pupil.year_group.number != 11:
        raise DomainError("not_year_11", "The agreement is for Year 11 pupils.")
    agreement, _ = ExamAgreement.objects.select_for_update().get_or_create(
        school_id=pupil.school_id, academic_year=academic_year, pupil=pupil
    )
    before = {name: getattr(agreement, name) for name in FIELDS}
    for name, value in dates.items():
        setattr(agreement, name, value)
    issued = agreement.issued_on
    signed = [d for d in (agreement.pupil_signed_on, agreement.parent_signed_on) if d]
    if (signed or agreement.returned_on) and not issued:
        raise DomainError("not_issued", "Give the date the agreement was issued first.")
    if any(d < issued for d in signed) or (agreement.returned_on and agreement.returned_on < issued):
        raise DomainError(
            "before_issue", "A signature or return cannot come before the agreement was issued."
        )
    if agreement.returned_on and len(signed) < 2:
        raise DomainError("unsigned_return", "A returned agreement is signed by the pupil and a parent.")
    agreement.save()
    after = {name: getattr(agreement, name) for name in FIELDS}
    changed = [k for k in FIELDS if before[k] != after[k]]
    if changed:
        audit.record(
            action="interventions.agreement.changed",
            obj=agreement,
            by=by,
            pupil=pupil,
            before={k: before[k].isoformat() if before[k] else None for k in changed},
            after={k: after[k].isoformat() if after[k] else None for k in changed},
        )
    return agreement
