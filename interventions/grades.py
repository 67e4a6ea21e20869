"""A pupil's standing in each subject, as plans, allocation and impact show and judge it.

The one place interventions ask "which grade counts, against which target". It is a thin call site:
when `tracking.standing` (the one truth of a grade) lands, these functions ask it instead.
"""

from dataclasses import dataclass

from tracking.models import GradeEntry, Target


@dataclass(frozen=True)
class Standing:
    subject_id: int
    subject: str
    grade: str | None
    target: str | None
    gap: int | None  # whole grades above (+) or below (-) target; None without both
    points: float | None  # the grade's points, for averages over time
    point_id: int | None  # the assessment point the grade is from

    def as_dict(self):
        return {
            "subject_id": self.subject_id,
            "subject": self.subject,
            "grade": self.grade,
            "target": self.target,
            "gap": self.gap,
            "points": self.points,
            "point_id": self.point_id,
        }


def standings(pupil_ids, *, subject_ids=None, point=None, upto_sequence=None):
    """{(pupil id, subject id): Standing} from each pupil's latest grade this year (prediction first).

    With `point`, only grades from that point; with `upto_sequence`, from points up to that one.
    Two queries however many pupils.
    """
    entries = GradeEntry.objects.filter(pupil_id__in=pupil_ids, point__academic_year__is_current=True)
    if subject_ids is not None:
        entries = entries.filter(subject_id__in=subject_ids)
    if point is not None:
        entries = entries.filter(point=point)
    elif upto_sequence is not None:
        entries = entries.filter(point__sequence__lte=upto_sequence)
    rows = entries.order_by("point__sequence").values_list(
        "pupil_id",
        "subject_id",
        "subject__name",
        "point_id",
        "current__code",
        "current__step",
        "current__points",
        "predicted__code",
        "predicted__step",
        "predicted__points",
    )
    latest = {}
    for pupil_id, subject_id, name, point_id, c_code, c_step, c_pts, p_code, p_step, p_pts in rows:
        if p_code is not None:
            latest[(pupil_id, subject_id)] = (name, point_id, p_code, p_step, p_pts)
        elif c_code is not None:
            latest[(pupil_id, subject_id)] = (name, point_id, c_code, c_step, c_pts)
    targets = Target.objects.filter(pupil_id__in=pupil_ids)
    if subject_ids is not None:
        targets = targets.filter(subject_id__in=subject_ids)
    target_of = {
        (p, s): (code, step)
        for p, s, code, step in targets.values_list("pupil_id", "subject_id", "grade__code", "grade__step")
    }
    result = {}
    for key, (name, point_id, code, step, pts) in latest.items():
        target = target_of.get(key)
        result[key] = Standing(
            subject_id=key[1],
            subject=name,
            grade=code,
            target=target[0] if target else None,
            gap=(step - target[1]) if target else None,
            points=float(pts) if pts is not None else None,
            point_id=point_id,
        )
    return result


def pupil_standing(pupil, *, subject_ids=None, point=None):
    """The pupil's standing in each subject (or the ones named), ordered by subject."""
    found = standings([pupil.pk], subject_ids=subject_ids, point=point)
    return sorted(found.values(), key=lambda s: s.subject)
