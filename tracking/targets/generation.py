"""Generating targets for a whole year group from flight paths or FFT estimates, in bulk."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from tracking import audit
from tracking.lib.bulk import insert_rows
from tracking.lib.errors import DomainError
from tracking.models import (
    GradeValue,
    Pupil,
    Target,
    TargetSource,
    TargetStatus,
    TeachingGroup,
)
from tracking.targets.flightpaths import FlightPathTable
from tracking.targets.services import EDITABLE

SOURCE_FLIGHT_PATH, SOURCE_FFT = "flightpath", "fft"


# -- generation --------------------------------------------------------------------------------
@dataclass
class GenerateResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # already agreed or published: generation never overwrites those
    skipped: int = 0  # no KS2 data / no flight path

    @property
    def total(self):
        return self.created + self.updated


def _pairs_taken(school, year_group):
    """(pupil_id, subject_id) for every subject each pupil in the year studies this year."""
    through = TeachingGroup.pupils.through
    return set(
        through.objects.filter(
            teachinggroup__school=school,
            teachinggroup__year_group=year_group,
            teachinggroup__academic_year__is_current=True,
            pupil__is_active=True,
        ).values_list("pupil_id", "teachinggroup__subject_id")
    )


def target_generate(*, school, year_group, source, by, estimates=None, detail="", dry_run=False):
    """Targets for every pupil in a year group in every subject they take (flight path), or for every
    row of parsed FFT estimates ({(pupil_id, subject_id): GradeValue}).

    Generated proposals are regenerated; agreed and published targets, and proposals a teacher made or
    a raise produced, are kept. Bulk: a few queries
    whatever the size of the year. `dry_run` returns the counts for the preview without saving.
    """
    result = GenerateResult()
    if source == SOURCE_FFT:
        if not estimates:
            raise DomainError("invalid", "Upload an FFT estimates file first.")
        wanted = dict(estimates)
        detail = detail or "FFT"
        target_source = TargetSource.FFT
    elif source == SOURCE_FLIGHT_PATH:
        table = FlightPathTable(school)
        ks2 = {
            pk: [s for s in (r, m) if s is not None]
            for pk, r, m in Pupil.objects.filter(
                school=school, year_group=year_group, is_active=True
            ).values_list("pk", "ks2_reading", "ks2_maths")
        }
        wanted = {}
        for pupil_id, subject_id in _pairs_taken(school, year_group):
            scores = ks2.get(pupil_id)
            grade = table.grade_for(subject_id, sum(scores) / len(scores) if scores else None)
            if grade is None:
                result.skipped += 1
            else:
                wanted[(pupil_id, subject_id)] = grade
        target_source = TargetSource.FLIGHT_PATH
        detail = detail or "Flight path (KS2)"
    else:
        raise DomainError("invalid", f"Unknown source '{source}'.")
    # Plain tuples, not model instances: a whole school's targets are compared here.
    existing = {
        (row[1], row[2]): row
        for row in Target.objects.filter(school=school, pupil__year_group=year_group).values_list(
            "pk",
            "pupil_id",
            "subject_id",
            "status",
            "grade_id",
            "source",
            "source_detail",
            "published_grade_id",
        )
    }
    codes = dict(GradeValue.objects.filter(scale__school=school).values_list("pk", "code"))
    detail = detail[:100]
    creates, updates = [], []
    for (pupil_id, subject_id), grade in wanted.items():
        row = existing.get((pupil_id, subject_id))
        if row is None:
            creates.append(_NewTarget(school.pk, pupil_id, subject_id, grade.pk, target_source, detail))
            continue
        pk, _, _, status, grade_id, source_, detail_, published_id = row
        if status not in EDITABLE or source_ in (TargetSource.TEACHER, TargetSource.RAISED):
            result.kept += 1  # agreed or published, or a person's own proposal: never overwritten
        elif grade_id == grade.pk and source_ == target_source and detail_ == detail:
            result.unchanged += 1
        else:
            before = {
                "grade": codes.get(grade_id),
                "status": status,
                "published_grade": codes.get(published_id),
            }
            target = _NewTarget(school.pk, pupil_id, subject_id, grade.pk, target_source, detail, status, pk)
            updates.append((target, before))
    result.created, result.updated = len(creates), len(updates)
    if dry_run:
        return result
    with transaction.atomic():
        now = timezone.now()
        stamp = connection.ops.adapt_datetimefield_value(now)
        insert_rows(
            Target,
            [
                {
                    "school_id": t.school_id,
                    "pupil_id": t.pupil_id,
                    "subject_id": t.subject_id,
                    "grade_id": t.grade_id,
                    "source": t.source,
                    "source_detail": t.source_detail,
                    "status": t.status,
                    "published_grade_id": None,
                    "requested_grade_id": None,
                    "request_reason": "",
                    "requested_by_id": None,
                    "requested_at": None,
                    "updated_at": stamp,
                }
                for t in creates
            ],
        )
        # One UPDATE per (grade, source) rather than a CASE per row: regenerating a year stays fast.
        by_change = defaultdict(list)
        for target, _ in updates:
            by_change[(target.grade_id, target.source, target.source_detail)].append(target.pk)
        for (grade_id, source_, detail_), pks in by_change.items():
            for start in range(0, len(pks), 900):
                Target.objects.filter(pk__in=pks[start : start + 900]).update(
                    grade_id=grade_id, source=source_, source_detail=detail_, updated_at=now
                )
        if creates:
            ids = dict(
                (
                    ((p, s), pk)
                    for pk, p, s in Target.objects.filter(
                        school=school, pupil__year_group=year_group, status=TargetStatus.PROPOSED
                    ).values_list("pk", "pupil_id", "subject_id")
                )
            )
            for target in creates:
                target.pk = ids[(target.pupil_id, target.subject_id)]
        audit.record_many(
            [_audit_event(t, "generated", by, {}, codes, detail) for t in creates]
            + [_audit_event(t, "regenerated", by, b, codes, detail) for t, b in updates],
            at=now,
        )
    return result


def _audit_event(target, action, by, before, codes, note):
    """One audit.record_many event for a generated target."""
    after = {
        "grade": codes[target.grade_id],
        "status": target.status,
        "published_grade": before.get("published_grade"),
    }
    return {
        "action": f"tracking.target.{action}",
        "obj": target,
        "by": by,
        "before": before,
        "after": after,
        "via": "target generation",
        "pupil_id": target.pupil_id,
        "note": note,
    }


@dataclass(slots=True)
class _NewTarget:
    """A target about to be inserted: model instances cost most of the generation budget."""

    school_id: int
    pupil_id: int
    subject_id: int
    grade_id: int
    source: str
    source_detail: str
    status: str = TargetStatus.PROPOSED
    pk: int | None = None

    _meta = Target._meta  # so the audit trail records it as the Target it becomes
