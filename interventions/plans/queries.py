"""Reads for plan pages, lists, exports and the key-stage coordinator's sheet."""

from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, Max, OuterRef, Prefetch, Q, Subquery

from tracking.models import AcademicYear, AssessmentPoint, Pupil, Subject

from .. import grades
from ..models import Flag
from .models import PlanStatus, TargetGroup

EXPORT_HEADERS = [
    "Pupil", "UPN", "Year", "Form", "Plan", "Level", "Subjects", "Reason for referral", "What will be done",
    "Owner", "Start", "Review", "Finished", "Parents informed", "How", "Parent tutorial", "On report from",
    "On report until", "Status",
]  # fmt: skip


def plan_list(queryset):
    """Plans with what their lists show. Only those joins: planning the list's sorted page over five
    more tables (year group, the plan's form and department) cost the database 25 ms; exports add
    the year group themselves."""
    return queryset.select_related("pupil__form", "owner__user").prefetch_related(
        Prefetch("subjects", queryset=Subject.objects.order_by("name"))
    )


def subjects_text(plan):
    return ", ".join(s.name for s in plan.subjects.all()) or "All subjects"


def export_rows(plans):
    plans = plans.select_related("pupil__year_group")

    def d(value):
        return value.isoformat() if value else ""

    for plan in plans:
        yield [
            plan.pupil.sorted_name, plan.pupil.upn, plan.pupil.year_group.number,
            plan.pupil.form.name if plan.pupil.form else "", plan.get_tier_display(), plan.level,
            subjects_text(plan), plan.reason, plan.actions, str(plan.owner) if plan.owner else "",
            d(plan.start_date), d(plan.review_date), d(plan.finished_on), d(plan.parents_informed_on),
            plan.get_parents_informed_how_display() if plan.parents_informed_how else "",
            d(plan.parent_tutorial_on), d(plan.on_report_from), d(plan.on_report_until),
            plan.get_status_display(),
        ]  # fmt: skip


def review_points(plan):
    """Later tracking events of the pupil's year group the plan has not yet been reviewed against."""
    points = AssessmentPoint.objects.filter(
        school_id=plan.school_id,
        year_group_id=plan.pupil.year_group_id,
        academic_year__is_current=True,
        is_locked=True,
    ).order_by("sequence")
    if plan.start_point_id:
        points = points.filter(sequence__gt=plan.start_point.sequence)
    return points.exclude(pk__in=plan.reviews.values("point_id"))


def due_review_count(queryset):
    """How many of `queryset`'s active plans have a locked tracking point of the pupil's year group,
    this year, later than the one they started from and the last they were reviewed against. One
    query: the latest point and the last review are read beside each plan, not the plans themselves."""
    latest = (
        AssessmentPoint.objects.filter(
            year_group_id=OuterRef("pupil__year_group_id"), academic_year__is_current=True, is_locked=True
        )
        .order_by("-sequence")
        .values("sequence")[:1]
    )
    rows = (
        queryset.filter(status=PlanStatus.ACTIVE)
        .annotate(latest=Subquery(latest), reviewed=Max("reviews__point__sequence"))
        .values_list("latest", "start_point__sequence", "reviewed")
        .order_by()
    )
    return sum(1 for latest, started, reviewed in rows if (latest or 0) > max(started or 0, reviewed or 0))


# -- the key-stage coordinator's tracking sheet ----------------------------------------------------


def latest_points(school, key_stage):
    """Each year group's latest tracking event in a key stage: its latest locked point this year, or,
    before its first review of the year is verified, its pupils' last one (last year's, in the year
    group below: the summer review whose flags are still being worked on). One query."""
    from tracking.permissions import years_in_key_stages

    years = years_in_key_stages({key_stage})
    points = AssessmentPoint.objects.filter(
        Q(academic_year__is_current=True, year_group__number__in=years)
        | Q(academic_year__is_current=False, year_group__number__in=[n - 1 for n in years]),
        school=school,
        is_locked=True,
    ).select_related("year_group", "academic_year")
    points = list(points.order_by("academic_year__starts_on", "sequence"))
    current = next((p.academic_year for p in points if p.academic_year.is_current), None)
    if current is None and points:  # early in the year nothing is locked yet: ask which year it is
        current = AcademicYear.objects.filter(school=school, is_current=True).first()
    this_year, last_year = {}, {}
    for point in points:
        if point.academic_year.is_current:
            this_year[point.year_group.number] = point
        elif current is not None and point.academic_year.starts_on.year == current.starts_on.year - 1:
            last_year[point.year_group.number + 1] = point
    latest = {**last_year, **this_year}
    return [latest[number] for number in sorted(latest) if number in years]


SHEET_PAGE = 50


def ks_sheet(school, key_stage, pupils_scope, page_number=1, *, per_page=SHEET_PAGE):
    """The KS coordinator's tracking sheet, a page at a time: pupils flagged at the latest points, with
    how many subjects are below target at the point their flags were raised (the latest verified
    tracking event, as the flags: not a window still open for entry), their flags, active plans and
    target groups.

    Returns (points, page): `page.object_list` holds the rows; a fixed number of queries per page.
    per_page=None puts every pupil on the one page (the export)."""
    points = latest_points(school, key_stage)
    by_pupil, point_of = defaultdict(list), {}
    flags = Flag.objects.filter(point__in=points, pupil__in=pupils_scope).order_by("-level", "subject__name")
    for pupil_id, level, subject, point_id in flags.values_list(
        "pupil_id", "level", "subject__name", "point_id"
    ):
        by_pupil[pupil_id].append((subject, level))
        point_of[pupil_id] = point_id  # a pupil's flags are at their own year group's latest point
    ordered = list(
        Pupil.objects.filter(pk__in=list(by_pupil))
        .order_by("year_group__number", "form__name", "legal_last_name", "legal_first_name")
        .values_list("pk", flat=True)
    )
    page = Paginator(ordered, per_page or max(len(ordered), 1)).get_page(page_number)
    ids = list(page.object_list)
    pupils = {
        p.pk: p
        for p in Pupil.objects.filter(pk__in=ids)
        .select_related("form", "year_group")
        .annotate(
            active_plans=Count("intervention_plans", filter=Q(intervention_plans__status=PlanStatus.ACTIVE))
        )
        .prefetch_related(Prefetch("target_groups", queryset=TargetGroup.objects.order_by("name")))
    }
    below = defaultdict(int)
    for point in points:  # one a year group: a fixed number of queries
        flagged = [pk for pk in ids if point_of[pk] == point.pk]
        if not flagged:
            continue
        for (pupil_id, _), found in grades.standings(flagged, point=point, school=school).items():
            if found.is_below:
                below[pupil_id] += 1
    page.object_list = [
        {
            "pupil": pupils[pk],
            "below": below[pk],
            "level": max(level for _, level in by_pupil[pk]),
            "flags": by_pupil[pk],
            "active_plans": pupils[pk].active_plans,
            "groups": list(pupils[pk].target_groups.all()),
        }
        for pk in ids
    ]
    return points, page


KS_SHEET_HEADERS = [
    "Pupil",
    "UPN",
    "Form",
    "Subjects below target",
    "Highest level",
    "Flags",
    "Active plans",
    "Target groups",
]


def ks_sheet_export_rows(rows):
    """The sheet's rows as spreadsheet values, with every flag (the page shows the first three)."""
    return [
        [
            row["pupil"].sorted_name,
            row["pupil"].upn,
            row["pupil"].form.name if row["pupil"].form else "",
            row["below"],
            f"L{row['level']}",
            "; ".join(f"{subject or 'Across subjects'} (L{level})" for subject, level in row["flags"]),
            row["active_plans"],
            ", ".join(g.name for g in row["groups"]),
        ]
        for row in rows
    ]


def group_progress(group):
    """Each pupil of a target group: subjects below target when the group formed and now."""
    pupils = list(group.pupils.select_related("form", "year_group").order_by("legal_last_name"))
    ids = [p.pk for p in pupils]
    now = grades.standings(ids)
    then = grades.standings(ids, upto_sequence=group.start_point.sequence) if group.start_point else {}

    def count(found, pupil_id):
        return sum(1 for (p, _), s in found.items() if p == pupil_id and s.is_below)

    rows = [
        {"pupil": p, "then": count(then, p.pk) if then else None, "now": count(now, p.pk)} for p in pupils
    ]
    return rows
