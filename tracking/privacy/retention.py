"""Retention: once a leaver's records have been kept for the years the school chose, remove what
identifies them. Grades and flags stay for cohort history, with no name, UPN, birthday or free text.

Other apps blank their own free text about a pupil (meeting notes, plan reasons) through
`register_retention_step(func)`: `func(pupil_ids)` runs inside the same transaction.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tracking import audit
from tracking.cycle.scheduler import Event
from tracking.models import (
    CurricularTarget,
    GradeEntry,
    Guardian,
    GuardianLink,
    Pupil,
    School,
    User,
)

_steps = []


def register_retention_step(func):
    if func not in _steps:
        _steps.append(func)
    return func


@dataclass(frozen=True)
class RetentionResult:
    school: School
    years: int | None
    pupils: list  # (pk, name, left_on) of the pupils anonymised (or that would be)
    dry_run: bool

    @property
    def message(self):
        if self.years is None:
            return (
                f"{self.school}: no retention period is set (your school chooses it in its settings); "
                "nothing was removed."
            )
        verb = "would be anonymised" if self.dry_run else "anonymised"
        return f"{self.school}: {len(self.pupils)} leaver(s) who left over {self.years} years ago {verb}."


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def leavers_due(school, today):
    if school.retention_years is None:
        return Pupil.objects.none()
    return Pupil.objects.filter(
        school=school,
        is_active=False,
        anonymised_at__isnull=True,
        left_on__isnull=False,
        left_on__lte=_years_before(today, school.retention_years),
    ).order_by("left_on", "pk")


def retention_run(*, school, by=None, dry_run=False, today=None):
    """Anonymise every leaver past the school's retention period, atomically, with one audit row each."""
    today = today or timezone.localdate()
    with transaction.atomic():
        due = list(leavers_due(school, today).select_for_update())
        result = RetentionResult(
            school=school,
            years=school.retention_years,
            pupils=[(p.pk, p.full_name, p.left_on) for p in due],
            dry_run=dry_run,
        )
        if dry_run or not due:
            return result
        ids = [p.pk for p in due]
        now = timezone.now()
        for pupil in due:
            pupil.legal_first_name, pupil.legal_last_name = "Former", "pupil"
            pupil.preferred_first_name = pupil.preferred_last_name = ""
            pupil.upn = f"ANON{pupil.pk:09d}"[:13]
            pupil.date_of_birth = datetime.date(pupil.date_of_birth.year, 1, 1)
            pupil.anonymised_at = now
        Pupil.objects.bulk_update(
            due,
            [
                "legal_first_name",
                "legal_last_name",
                "preferred_first_name",
                "preferred_last_name",
                "upn",
                "date_of_birth",
                "anonymised_at",
            ],
        )
        GradeEntry.objects.filter(pupil_id__in=ids).exclude(comment="").update(comment="")
        CurricularTarget.objects.filter(pupil_id__in=ids).delete()
        guardian_ids = set(
            GuardianLink.objects.filter(pupil_id__in=ids).values_list("guardian_id", flat=True)
        )
        GuardianLink.objects.filter(pupil_id__in=ids).delete()
        # A parent with no child left at the school has no reason to keep an account.
        orphaned = Guardian.objects.filter(pk__in=guardian_ids, guardianlink__isnull=True)
        User.objects.filter(guardian__in=orphaned).delete()
        audit.redact_pupils(ids)
        for step in _steps:
            step(ids)
        audit.record_many(
            [
                {
                    "action": "tracking.pupil.anonymised",
                    "obj": pupil,
                    "by": by,
                    "pupil": pupil,
                    "via": "retention",
                    "after": {
                        "left_on": pupil.left_on.isoformat(),
                        "retention_years": school.retention_years,
                    },
                }
                for pupil in due
            ]
        )
    return result


def retention_events(now):
    """One retention run per school per day, at 02:00, for the scheduler."""
    today = timezone.localdate(now)
    due_at = timezone.make_aware(datetime.datetime.combine(today, datetime.time(2, 0)))
    return [
        Event(
            key=f"retention:{school.pk}:{today.isoformat()}",
            due_at=due_at,
            run=lambda _now, school=school: retention_run(school=school, today=today).message,
        )
        for school in School.objects.filter(retention_years__isnull=False)
    ]
