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


@dataclass(frozen=True)
class ConversationRules:
    """When tracking's own figures put a pupil on the form tutor's list.

    The bands are Laude's: "If a child is not on-target in two or three subjects then the Form Tutor
    needs to investigate further"; from "four or more subjects" the key-stage coordinator does. Which
    subjects count is THE SCHOOL'S CHOICE, not the policy's: those well below the grade expected now
    (the school's own well-below threshold, as tracking.standing judges it). In the year a grade below
    is common (about a third of all grades), so counting every grade below listed most of a form.
    Effort and attendance use the year leaders' numbers (`year_lists.ListRules`, also the school's).
    """

    tutor_from: int = 2  # Laude: "two or three subjects": the form tutor
    coordinator_from: int = 4  # Laude: "four or more subjects": the key-stage coordinator
    counts: str = standing.WELL_BELOW


CONVERSATION_RULES = ConversationRules()


@dataclass
class Row:
    pupil: object
    cells: list = field(default_factory=list)  # [(subject, Standing or None, effort)] in column order
    reasons: list = field(default_factory=list)


def describe(school, rules=CONVERSATION_RULES, lists=RULES):
    """Why a pupil is listed, in words for the page, saying whose each number is."""
    counted = standing.count_labels(school)["well_below"]
    tutor_to = rules.coordinator_from - 1
    return [
        f"{counted} in {rules.tutor_from} or more subjects. Laude: the form tutor acts on a pupil off "
        f"target in {rules.tutor_from}–{tutor_to} subjects, the key-stage coordinator on "
        f"{rules.coordinator_from} or more. Counting only the subjects "
        f"{standing.label(rules.counts, school).lower()} is the school's choice: a grade below is common "
        "in the year.",
        f"Effort {lists.concern_effort_at_least} or worse in {lists.range_of_subjects} or more subjects "
        "(DfES: behaviour shows in the effort grade; the number of subjects is the school's choice).",
        "An open flag, an active intervention plan, or a mentor's concern slip not yet discussed.",
        f"Attendance under {lists.attendance_below:.0f}% is noted beside a listed pupil (DfES: progress is "
        "checked against attendance patterns) but lists no one alone; the grid shows every pupil's.",
    ]


def tracking_reasons(pupil, cells, subjects, school=None, rules=RULES, conversation=CONVERSATION_RULES):
    """Why tracking's own figures call for a conversation: subjects well below in Laude's bands, and
    effort. Attendance is not a reason alone: `attendance_note` goes beside a listed pupil."""
    names = {s.pk: s.name for s in subjects}
    counted = sorted(
        names[sid] for sid, (result, _effort) in cells.items() if result.status == conversation.counts
    )
    effort = [
        names[sid]
        for sid, (_result, effort) in cells.items()
        if effort is not None and effort >= rules.concern_effort_at_least
    ]
    reasons = []
    if len(counted) >= conversation.tutor_from:
        if len(counted) >= conversation.coordinator_from:
            who = f"the key-stage coordinator leads ({conversation.coordinator_from}+ subjects)"
        else:
            who = f"the form tutor follows up ({conversation.tutor_from}–{conversation.coordinator_from - 1})"
        word = standing.label(conversation.counts, school)
        reasons.append(f"{word} in {len(counted)} subjects: {', '.join(counted)}; {who}")
    if len(effort) >= rules.range_of_subjects:
        worse = f"Effort {rules.concern_effort_at_least} or worse"
        reasons.append(f"{worse} in {len(effort)} subjects: {', '.join(sorted(effort))}")
    return reasons


def attendance_note(pupil, rules=RULES):
    """The attendance check beside a listed pupil (DfES), or None when attendance is not low."""
    if pupil.attendance is not None and pupil.attendance < rules.attendance_below:
        return f"Attendance {pupil.attendance:.1f}% (under {rules.attendance_below:.0f}%)"
    return None


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
        row.reasons = tracking_reasons(pupil, cells, subjects, form.school) + extra.get(pupil.pk, [])
        if row.reasons and (note := attendance_note(pupil)):
            row.reasons.append(note)
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
