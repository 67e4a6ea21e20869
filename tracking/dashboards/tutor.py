"""The tutor's view of a form: each pupil's standing in every subject, attendance, and who needs a
conversation and why (DfES Table 3: "each tutor ... identifies a group of target pupils in their class").

The grid is counted in one query with tracking.standing's expressions; other apps add their reasons
(flags, plans, mentoring slips) through `tracking.dashboards.concerns`.
"""

from dataclasses import dataclass, field

from tracking import standing
from tracking.dashboards import concerns
from tracking.dashboards.year_lists import RULES
from tracking.models import GradeEntry, Subject


@dataclass
class Row:
    pupil: object
    cells: list = field(default_factory=list)  # [(subject, Standing or None, effort)] in column order
    reasons: list = field(default_factory=list)


def tracking_reasons(pupil, cells, subjects, rules=RULES):
    """Why tracking's own figures call for a conversation: several subjects below, effort, attendance."""
    names = {s.pk: s.name for s in subjects}
    below = [names[sid] for sid, (result, _effort) in cells.items() if result.is_below]
    effort = [
        names[sid]
        for sid, (_result, effort) in cells.items()
        if effort is not None and effort >= rules.concern_effort_at_least
    ]
    reasons = []
    if len(below) >= rules.range_of_subjects:
        reasons.append(f"Below the grade expected now in {len(below)} subjects: {', '.join(sorted(below))}")
    if len(effort) >= rules.range_of_subjects:
        worse = f"Effort {rules.concern_effort_at_least} or worse"
        reasons.append(f"{worse} in {len(effort)} subjects: {', '.join(sorted(effort))}")
    if pupil.attendance is not None and pupil.attendance < rules.attendance_below:
        reasons.append(f"Attendance {pupil.attendance:.1f}% (under {rules.attendance_below:.0f}%)")
    return reasons


def form_grid(form, point, thresholds):
    """(subjects, rows, per-subject summary) for a form at one point: five queries plus the sources'."""
    entries = GradeEntry.objects.filter(point=point, pupil__form=form, pupil__is_active=True)
    by_pupil = {}
    for result, fields in standing.standings_of(entries, thresholds, fields=("effort",), points=[point]):
        by_pupil.setdefault(result.pupil_id, {})[result.subject_id] = (result, fields["effort"])
    subject_ids = {sid for cells in by_pupil.values() for sid in cells}
    subjects = list(Subject.objects.filter(pk__in=subject_ids).order_by("name").only("pk", "name", "code"))
    pupils = sorted(form.pupils.filter(is_active=True), key=lambda p: p.sorted_name)
    extra = concerns.reasons_for([p.pk for p in pupils], form.school)
    rows, summary = [], {s.pk: dict.fromkeys(standing.STATUSES, 0) for s in subjects}
    for pupil in pupils:
        cells = by_pupil.get(pupil.pk, {})
        row = Row(pupil=pupil)
        for subject in subjects:
            result, effort = cells.get(subject.pk, (None, None))
            row.cells.append((subject, result, effort))
            if result is not None:
                summary[subject.pk][result.status] += 1
        row.reasons = tracking_reasons(pupil, cells, subjects) + extra.get(pupil.pk, [])
        rows.append(row)
    per_subject = []
    for subject in subjects:
        counts = summary[subject.pk]
        judged = sum(counts[s] for s in standing.STATUSES if s != standing.NONE)
        on_or_above = counts[standing.ABOVE] + counts[standing.ON]
        per_subject.append(
            {
                "subject": subject,
                "judged": judged,
                "on_or_above": on_or_above,
                "below": counts[standing.BELOW] + counts[standing.WELL_BELOW],
                "pct": round(100 * on_or_above / judged) if judged else None,
            }
        )
    return subjects, rows, per_subject
