"""What a report says about one pupil, worked out once and frozen as plain JSON.

A PupilReport keeps this dict: its PDF is made from it alone, so a grade changed later never alters an
issued report. Every standing, target, grade expected now and "which grade counts" comes from
tracking.standing (asked with `family=True`: families see published targets only). Families see the
grades as the school last verified them, never a sheet still being edited.
"""

from datetime import date

from django.apps import apps
from django.utils import timezone

from tracking import standing
from tracking.lib.sparkline import sparkline
from tracking.models import AssessmentPoint, GradeEntry, Security, Target, TeachingGroup

from .models import DEFAULT_FIELDS, SUBJECT_FIELDS, Field, Kind, ReportComment, ReportLayout

SECURITY_WORDS = {
    Security.HIGH: "Secure: very likely to hold this grade",
    Security.MIDDLE: "Mostly secure at this grade",
    Security.LOW: "Only just working at this grade",
}
CHART_POINTS = 6
EFFORT_WORDS = {1: "Excellent", 2: "Good", 3: "Could do more", 4: "A concern"}


def layout_fields(school, kind):
    """The fields a kind of report shows at a school, in the order reports print them."""
    layout = ReportLayout.objects.filter(school=school, kind=kind).first()
    chosen = set(layout.fields if layout is not None else DEFAULT_FIELDS[kind])
    return [f.value for f in Field if f.value in chosen]


def kind_for(year_number, *, end_of_year=False):
    """The report kind a year group gets by default."""
    if end_of_year:
        return Kind.END_OF_YEAR
    if year_number == 11:
        return Kind.YEAR11
    return Kind.TERMLY_KS3 if year_number <= 9 else Kind.TERMLY_KS4


def _family_grades(entry):
    """The grades families may see: as last verified (nothing before the first verification)."""
    if entry.verified_at is None:
        return None, None, "", None
    return entry.verified_current, entry.verified_predicted, entry.verified_security, entry.verified_effort


def _verified_related():
    return ["verified_current", "verified_predicted"]


def _standing_words(result, school):
    if result.grade is not None and result.diff is None:
        unjudged = getattr(result, "unjudged_label", None)
        return unjudged or "No target set yet"
    if result.grade is None:
        return "No grade at this point"
    return standing.label(result.status, school)


def _achieved(result):
    """End of year: did the grade that counts reach the grade expected by now (Year 11: the target)?

    tracking.standing gives the difference from the grade expected now; none or below zero is "not yet".
    """
    if result.diff is None:
        return None
    return result.diff >= 0


def _teachers(group):
    return ", ".join(str(t) for t in group.teachers.all())


def glossary(school, fields):
    """Every term the report uses, in plain words (only the fields it shows)."""
    thresholds = standing.Thresholds.of(school)
    words = []
    if Field.TARGET in fields:
        words.append(
            (
                "Target grade",
                "The grade we are aiming for by the end of Year 11. It is set from how your child did at "
                "primary school, and is ambitious on purpose.",
            )
        )
    if Field.EXPECTED in fields or Field.STANDING in fields:
        words.append(
            (
                "Grade expected now",
                "Nobody starts at their target. This is the grade we would expect at this point of the "
                "year if your child is on the way to their target.",
            )
        )
    if Field.CURRENT in fields:
        words.append(("Current grade", "The grade your child's work shows now."))
    if Field.PREDICTED in fields:
        words.append(
            ("Predicted grade", "The grade the teacher expects at the end of the course if things carry on.")
        )
    if Field.SECURITY in fields:
        words.append(
            (
                "How secure",
                "Whether the grade is solid (secure), mostly there, or only just reached and could slip.",
            )
        )
    if Field.STANDING in fields:
        below = thresholds.below_by
        well = thresholds.well_below_by
        grades = "grade" if below == 1 else "grades"
        on, under, well_under = (
            standing.label(s, school) for s in (standing.ON, standing.BELOW, standing.WELL_BELOW)
        )
        words.append(
            (
                "Progress",
                f"How the grade compares with the grade expected now. “{on}” means on track. “{under}” means "
                f"{below} {grades} under it, and “{well_under}” means {well} or more grades under it: "
                "a sign your child may need some extra help, which the school will talk to you about.",
            )
        )
    if Field.EFFORT in fields:
        words.append(
            (
                "Effort",
                "How hard your child works in lessons and at home: Excellent, Good, Could do more, or "
                "A concern.",
            )
        )
    if Field.ACHIEVED in fields:
        words.append(
            ("Target achieved?", "Whether the grade reached the grade expected by the end of this year.")
        )
    if Field.ATTENDANCE in fields:
        words.append(("Attendance", "The share of school sessions your child was in school this year."))
    return words


def _chart(history, target_grade, subject_name):
    values = [grade.step if grade is not None else None for grade in history]
    label = f"{subject_name}: grades at recent reviews"
    return str(
        sparkline(values, target_grade.step if target_grade else None, width=150, height=36, label=label)
    )


def _sessions(pupil, start, end=None):
    """The pupil's confirmed intervention sessions from `start` (to `end`), when the sessions part of
    interventions is installed (looked up by name: reports does not depend on it being there)."""
    try:
        allocation = apps.get_model("interventions", "Allocation")
    except LookupError:
        return []
    allocations = allocation.objects.filter(pupil=pupil, status="confirmed", session__date__gte=start)
    if end is not None:
        allocations = allocations.filter(session__date__lt=end)
    rows = []
    for place in allocations.select_related("session__subject").order_by(
        "session__date", "session__starts_at"
    ):
        session = place.session
        rows.append(
            {
                "what": f"{session.title}, {session.starts_at:%H:%M} to {session.ends_at:%H:%M}, "
                f"room {session.room}",
                "subject": session.subject.name if session.subject_id else "",
                "due": session.date.isoformat(),
            }
        )
    return rows


def _interventions(pupil, on_date):
    """Support planned for the pupil from the report's date: intervention sessions they have a place in,
    and the actions agreed on their open flags that fall due."""
    from interventions.models import Flag, FlagStatus  # noqa: PLC0415 - reports sits above interventions

    flags = (
        Flag.objects.filter(pupil=pupil, status__in=[FlagStatus.OPEN, FlagStatus.ACTIONED])
        .exclude(action_text="")
        .filter(action_due__gte=on_date)
        .select_related("subject")
        .order_by("action_due", "pk")
    )
    actions = [
        {
            "what": flag.action_text,
            "subject": flag.subject.name if flag.subject else "",
            "due": flag.action_due.isoformat(),
        }
        for flag in flags
    ]
    return sorted(_sessions(pupil, on_date) + actions, key=lambda item: item["due"])


def build(pupil, point, *, kind, fields, book=None, today=None):
    """The frozen data of one pupil's report (plain JSON), from the grades verified at `point`."""
    school = pupil.school
    book = book or standing.Book(school, family=True)
    today = today or timezone.localdate()
    groups = (
        # The subjects taken in the year the grades are from (this year's: dropped subjects never show).
        TeachingGroup.objects.filter(pupils=pupil, academic_year_id=point.academic_year_id)
        .select_related("subject")
        .prefetch_related("teachers__user")
        .order_by("subject__name")
    )
    taught = {}
    for group in groups:  # a subject the pupil takes now (dropped subjects are not reported)
        taught.setdefault(group.subject_id, (group.subject, group))
    if not taught:
        # A year with no classes on record (history moved in from the MIS without them): the subjects
        # the pupil has grades in at the point, with no teacher named.
        graded = GradeEntry.objects.filter(pupil=pupil, point=point).select_related("subject")
        for entry in graded.order_by("subject__name"):
            taught.setdefault(entry.subject_id, (entry.subject, None))
    # The chart shows the pupil's last few reviews up to this point, last year's included.
    year_points = list(
        AssessmentPoint.objects.filter(school_id=school.pk, grades__pupil=pupil, opens_on__lte=point.opens_on)
        .exclude(pk=point.pk)
        .distinct()
        .order_by("-opens_on", "-sequence")[: CHART_POINTS - 1]
    )[::-1] + [point]
    entries = {}
    for entry in GradeEntry.objects.filter(
        pupil=pupil, subject_id__in=taught, point__in=year_points
    ).select_related("point", *_verified_related()):
        entries[(entry.subject_id, entry.point_id)] = entry
    targets = {
        t.subject_id: t
        for t in Target.objects.filter(pupil=pupil, subject_id__in=taught).select_related("published_grade")
    }
    subjects = []
    for subject_id, (subject, group) in taught.items():
        target = targets.get(subject_id)
        entry = entries.get((subject_id, point.pk))
        current, predicted, security, effort = _family_grades(entry) if entry else (None, None, "", None)
        result = book.judge(
            point,
            current=current,
            predicted=predicted,
            target=target,
            pupil_id=pupil.pk,
            subject_id=subject_id,
        )
        history = []
        for each in year_points:
            at = entries.get((subject_id, each.pk))
            grades = _family_grades(at) if at else (None, None, "", None)
            history.append(standing.counting_grade(each, grades[0], grades[1]))
        subjects.append(
            {
                "name": subject.name,
                "teacher": _teachers(group) if group is not None else "",
                "target": str(result.target) if result.target else "",
                "expected": str(result.expected) if result.expected else "",
                "current": str(current) if current else "",
                "predicted": str(predicted) if predicted else "",
                "judged": result.judged or "",
                "security": SECURITY_WORDS.get(security, ""),
                "standing": {
                    "status": result.status,
                    "attr": result.attr,
                    "label": _standing_words(result, school),
                    "diff": result.diff,
                },
                "effort": EFFORT_WORDS.get(effort, ""),
                "comment": (entry.comment if entry else "") if Field.SUBJECT_COMMENT in fields else "",
                "achieved": _achieved(result),
                "chart": _chart(history, result.target, subject.name) if Field.CHART in fields else "",
            }
        )
    comments = {
        c.role: {"text": c.text, "by": str(c.by.display_name) if c.by else ""}
        for c in ReportComment.objects.filter(pupil=pupil, point=point).select_related("by")
    }
    form = pupil.form
    tutors = ", ".join(str(t) for t in form.tutors.select_related("user")) if form else ""
    half_term = point.half_term.name if point.half_term_id else ""
    return {
        "version": 1,
        "kind": kind,
        "kind_label": Kind(kind).label,
        "fields": list(fields),
        "subject_fields": [f for f in fields if f in SUBJECT_FIELDS],
        "school": {"name": school.name},
        "pupil": {
            "first_name": pupil.first_name,
            "last_name": pupil.last_name,
            "year": pupil.year_group.number,
            "form": form.name if form else "",
            "tutor": tutors,
        },
        "point": {
            "name": point.name,
            "half_term": half_term,
            "year": point.year_group.number,
            "academic_year": point.academic_year.name,
            "closes_on": point.closes_on.isoformat(),
        },
        "as_of": f"{half_term or point.name}, Year {point.year_group.number}",
        "issued_on": today.isoformat(),
        "subjects": subjects,
        "attendance": str(pupil.attendance) if pupil.attendance is not None else "",
        "interventions": _interventions(pupil, today) if Field.INTERVENTIONS in fields else [],
        "tutor_comment": comments.get(ReportComment.Role.TUTOR) if Field.TUTOR_COMMENT in fields else None,
        "mentor_comment": comments.get(ReportComment.Role.MENTOR) if Field.MENTOR_COMMENT in fields else None,
        "glossary": glossary(school, fields),
        "colours": {
            status: getattr(school, f"colour_{status}")
            for status in (standing.ABOVE, standing.ON, standing.BELOW, standing.WELL_BELOW)
        },
    }


def issued_on(data):
    return date.fromisoformat(data["issued_on"])
