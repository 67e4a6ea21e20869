"""Reads for target pages: a pupil's targets, the approval grid, status counts, a target's history."""

from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Q

from tracking import audit, standing
from tracking.models import (
    AssessmentPoint,
    CurricularTarget,
    Subject,
    Target,
    TargetStatus,
    TeachingGroup,
)


# -- reads -------------------------------------------------------------------------------------
def curricular_targets_for(pupil, *, family=False):
    """A pupil's curricular targets: their own, their current teaching groups' and their form's.

    `family=True` (parent page, reports) keeps only those shared with the family.
    """
    groups = TeachingGroup.objects.filter(pupils=pupil, academic_year__is_current=True).values("pk")
    scope = Q(pupil=pupil) | Q(teaching_group__in=groups)
    if pupil.form_id:
        scope |= Q(form_id=pupil.form_id)
    qs = CurricularTarget.objects.filter(scope, school_id=pupil.school_id).select_related(
        "subject", "teaching_group", "form", "created_by"
    )
    if family:
        qs = qs.filter(share_with_family=True)
    return list(qs.order_by("review_on", "pk"))


def pupil_targets(pupil, *, family, visible=None, book=None):
    """Rows for the pupil page: subject, the target that counts (published), any pending change (staff
    only) and, in Key Stage 3, the grade expected at each of this year's points (tracking.standing).
    Staff get the targets `visible` to them (permissions.targets_visible_to). Grades come from `book`
    (a standing.Book the page judges with) when given, not from three joins the planner weighs
    against the visibility subqueries (7 ms of planning for a teacher)."""
    relations = ("grade", "published_grade", "requested_grade")
    qs = (visible if visible is not None else Target.objects).filter(pupil=pupil).select_related("subject")
    if book is None:
        qs = qs.select_related(*relations)
    if family:
        qs = qs.filter(published_grade__isnull=False)
    targets = sorted(qs, key=lambda t: t.subject.name)
    if book is not None:
        for target in targets:
            book.fill_grades(target, *relations)
    points = []
    if targets and pupil.year_group.number <= 9:  # Key Stage 3 climbs the flight path point by point
        points = list(
            AssessmentPoint.objects.filter(
                year_group_id=pupil.year_group_id, academic_year__is_current=True
            ).order_by("sequence")
        )
    book = book or standing.Book(pupil.school, family=family)
    rows = []
    for target in targets:
        published = standing.counting_target(target)
        path = [(point, book.expected(point, target.subject_id, published)[1]) for point in points]
        rows.append(
            {
                "target": target,
                "subject": target.subject,
                "grade": published,
                "pending": None if family else standing.pending_target(target),
                "path": path,
            }
        )
    return {"rows": rows, "points": points}


APPROVAL_PER_PAGE = 50


def approval_grid(
    targets_qs,
    pupils_qs,
    *,
    subject_id=None,
    status=None,
    page=None,
    per_page=APPROVAL_PER_PAGE,
    subjects=None,
):
    """The approval screen: one page of pupils x subjects with their targets, in a fixed number of
    queries. The pupils (those with a target in the filter) are paged in the database, so a year of
    any size costs the same. Returns (subjects, rows, page); with per_page=None every pupil, and no page
    (the export). `subjects`: the subjects with a target in `targets_qs`, by name, when already read
    (they are the grid's columns unless a subject or status narrows it)."""
    targets = targets_qs
    if subject_id:
        targets = targets.filter(subject_id=subject_id)
    if status:
        targets = targets.filter(status=status)
    if subjects is None or subject_id or status:
        subjects = list(
            Subject.objects.filter(pk__in=targets.values("subject_id"))
            .order_by("name")
            .only("pk", "code", "name")
        )
    pupils = (
        pupils_qs.filter(pk__in=targets.values("pupil_id"))
        .select_related("form")
        .order_by("legal_last_name", "legal_first_name", "pk")
    )
    if per_page is None:
        page, listed = None, list(pupils)
        shown = targets.filter(pupil__in=pupils.values("pk"))
    else:
        page = Paginator(pupils, per_page).get_page(page)
        listed = page.object_list
        shown = targets.filter(pupil_id__in=[p.pk for p in listed])
    by_pupil = defaultdict(dict)
    labels = dict(TargetStatus.choices)
    for target in shown.select_related("grade"):
        target.status_label = labels[target.status]
        by_pupil[target.pupil_id][target.subject_id] = target
    rows = [(p, [by_pupil[p.pk].get(s.pk) for s in subjects]) for p in listed]
    return subjects, rows, page


def approval_grid_export(subjects, rows):
    """(headers, rows) of the whole approval grid: each subject's target, its source and its status."""
    headers = ["Pupil", "UPN", "Form"]
    for subject in subjects:
        headers += [f"{subject.name} target", f"{subject.name} source", f"{subject.name} status"]
    out = []
    for pupil, cells in rows:
        line = [pupil.sorted_name, pupil.upn, str(pupil.form or "")]
        for t in cells:
            line += [str(t.grade), t.get_source_display(), t.status_label] if t else ["", "", ""]
        out.append(line)
    return headers, out


def status_counts(targets_qs):
    """{status: targets} of the targets."""
    return dict(targets_qs.values_list("status").annotate(n=Count("pk")).order_by())


ACTION_LABELS = {
    "imported": "Imported",
    "generated": "Generated",
    "regenerated": "Regenerated",
    "proposed": "Proposed by teacher",
    "agreed": "Agreed by SLT",
    "published": "Published",
    "change_requested": "Change requested",
    "change_approved": "Change approved",
    "change_rejected": "Change rejected",
    "raise_proposed": "Raise proposed",
    "raise_accepted": "Raise accepted",
    "raise_dismissed": "Raise dismissed",
}


def target_history(target):
    """The target's audit trail, newest first, with readable action and status words."""
    statuses = dict(TargetStatus.choices)
    events = list(audit.history_for(target))
    for event in events:
        event.label = ACTION_LABELS.get(event.action.rsplit(".", 1)[-1], event.action)
        event.status_before = statuses.get((event.before or {}).get("status"), "")
        event.status_after = statuses.get((event.after or {}).get("status"), "")
    return events
