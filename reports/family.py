"""What a family's page says about one child: a letter from the school, not a database.

Only what the school has verified and published: the latest verified grade in each subject the child
takes now (dated, newest first), published targets, standings from tracking.standing (asked with
`family=True`), support planned, and the reports published for the child.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from tracking import standing
from tracking.models import GradeEntry, Target, TeachingGroup
from tracking.targets.queries import curricular_targets_for

from . import data
from .models import PupilReport, ReportStatus

# What a family can do, by standing: short, kind and practical.
HELP = {
    standing.ABOVE: "Going well: praise the effort behind it and ask what they enjoy in this subject.",
    standing.ON: "On track: keep asking about homework and what they learned this week.",
    standing.BELOW: "A little behind where we would expect: ask the teacher what to practise at home.",
    standing.WELL_BELOW: "Needs a boost: the school will plan extra help, and will contact you about it. "
    "You can ask the form tutor at any time.",
    standing.NONE: "",
}


def verified_q():
    """GradeEntry rows families may see: verified (the school's own check), never a sheet in progress."""
    return Q(verified_at__isnull=False)


@dataclass
class SubjectLine:
    name: str
    teacher: str
    target: object
    entry: object
    grade: object
    result: object
    label: str
    help: str
    as_of: str


def _as_of(point):
    when = point.half_term.name if point.half_term_id else point.name
    return f"{when}, Year {point.year_group.number}"


def subjects_for(pupil):
    """(lines newest first, the newest point shown): one line per subject the child takes now."""
    school = pupil.school
    book = standing.Book(school, family=True)
    groups = (
        TeachingGroup.objects.filter(pupils=pupil, academic_year__is_current=True)
        .select_related("subject")
        .prefetch_related("teachers__user")
        .order_by("subject__name")
    )
    taught = {}
    for group in groups:
        taught.setdefault(group.subject_id, group)
    entries = (
        GradeEntry.objects.filter(verified_q(), pupil=pupil, subject_id__in=taught)
        .select_related("point__year_group", "point__half_term", *data._verified_related())
        .order_by("subject_id", "-point__opens_on", "-point__sequence")
        .distinct()
    )
    latest = {}
    for entry in entries:
        current, predicted, _, _ = data._family_grades(entry)
        if entry.subject_id not in latest and (current or predicted):
            latest[entry.subject_id] = entry
    targets = {
        t.subject_id: t
        for t in Target.objects.filter(pupil=pupil, subject_id__in=taught).select_related("published_grade")
    }
    lines = []
    for subject_id, group in taught.items():
        entry = latest.get(subject_id)
        target = targets.get(subject_id)
        if entry is not None:
            current, predicted, _, _ = data._family_grades(entry)
            result = book.judge(
                entry.point,
                current=current,
                predicted=predicted,
                target=target,
                pupil_id=pupil.pk,
                subject_id=subject_id,
            )
        else:
            result = standing.Standing(target=standing.counting_target(target), pupil_id=pupil.pk)
        lines.append(
            SubjectLine(
                name=group.subject.name,
                teacher=data._teachers(group),
                target=standing.counting_target(target),
                entry=entry,
                grade=result.grade,
                result=result,
                label=data._standing_words(result, school),
                help=HELP.get(result.status, "") if result.grade is not None else "",
                as_of=_as_of(entry.point) if entry else "",
            )
        )
    lines.sort(key=lambda line: (line.entry is None, _newest_first(line.entry), line.name))
    newest = next((line.entry.point for line in lines if line.entry), None)
    return lines, newest


def _newest_first(entry):
    if entry is None:
        return 0
    return -entry.point.opens_on.toordinal()


def published_reports(user_reports, pupil):
    """The child's published reports, newest first: one per kind and point. A school that publishes the
    same report again (a whole year group after a form, say) means the newer one; families see that."""
    newest = {}
    for report in (
        user_reports.filter(pupil=pupil, status=ReportStatus.DONE)
        .select_related("run__point")
        .order_by("-run__published_at", "-pk")
    ):
        newest.setdefault((report.run.kind, report.run.point_id), report)
    return list(newest.values())


def support_this_week(pupil, today=None):
    """(this week's sessions and actions, everything planned from today)."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    planned = data._interventions(pupil, today)
    week_end = (monday + timedelta(days=7)).isoformat()
    return [item for item in planned if item["due"] < week_end], planned


def page(pupil, reports_qs):
    lines, newest = subjects_for(pupil)
    this_week, planned = support_this_week(pupil)
    return {
        "pupil": pupil,
        "lines": lines,
        "newest": newest,
        "newest_as_of": _as_of(newest) if newest else "",
        "older_year": newest is not None and newest.year_group.number != pupil.year_group.number,
        "curricular": curricular_targets_for(pupil, family=True),
        "this_week": this_week,
        "planned": planned,
        "reports": published_reports(reports_qs, pupil),
        "glossary": data.glossary(pupil.school, ["target", "expected", "current", "predicted", "standing"]),
        "end_year": standing.end_year(pupil.year_group.number),
    }


__all__ = ["PupilReport", "page"]
