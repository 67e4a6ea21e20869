"""Home-page panels for tracking's own roles."""

from django.db.models import Count, Q

from tracking import permissions
from tracking.models import Role
from tracking.oversight.completion import completion_summary, default_points, points_for_selection


def children(user):
    pupils = permissions.pupils_visible_to(user).select_related("year_group", "form")
    return {"children": list(pupils)}


def teaches_groups(user):
    # Whether they teach any is known from the panel's own list (None: no panel).
    return permissions.access_for(user).staff is not None


def my_groups(user):
    # The panel shows each group's name, subject, year and size: no teachers to prefetch.
    groups = list(
        permissions.groups_taught_by(user)
        .select_related("subject", "year_group")
        .annotate(pupil_count=Count("pupils", distinct=True))
    )
    return {"groups": groups} if groups else None


def tutors_form(user):
    return permissions.has_role(user, Role.FORM_TUTOR) and not permissions.is_whole_school(user)


def my_form(user):
    access = permissions.access_for(user)
    forms = (
        permissions.forms_visible_to(user)
        .filter(tutors=access.staff)
        .annotate(pupil_count=Count("pupils", filter=Q(pupils__is_active=True)))
    )
    return {"forms": list(forms.select_related("year_group"))}


def school_summary(user):
    # One pass: each year group's counts, summed here for the school's.
    by_year = list(
        permissions.pupils_visible_to(user)
        .values("year_group__number")
        .annotate(
            n=Count("pk"),
            disadvantaged=Count("pk", filter=Q(disadvantaged=True)),
            sen=Count("pk", filter=~Q(sen_status="N")),
            eal=Count("pk", filter=Q(eal=True)),
        )
        .order_by("year_group__number")
    )
    summary = {
        "total": sum(row["n"] for row in by_year),
        **{key: sum(row[key] for row in by_year) for key in ("disadvantaged", "sen", "eal")},
    }
    return {"summary": summary, "by_year": by_year}


def completion(user):
    """Marksheet completion at the open points, for SLT and the data team (a HoD: their department)."""
    school = permissions.school_for(user)
    points = default_points(points_for_selection(school))
    summary = completion_summary(points, permissions.completion_departments(user), chase=5)
    subjects = permissions.completion_panel_subjects(user)
    overall = summary.overall
    return {
        "points": points,
        "overall": overall,
        "sheets_caption": f"of {overall.total} marksheets",
        "percent": f"{overall.percent}%",
        "chase": summary.chase,
        "subjects": subjects,
    }
