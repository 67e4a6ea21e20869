from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tracking import permissions
from tracking.models import Pupil, Subject

from . import queries

TEMPLATE = "interventions/impact/_cycle_section.html"
MAX_DETAIL = 200


def can_see_impact(user):
    return permissions.is_whole_school(user)


def _names(detail):
    pupils = dict(
        (pk, name)
        for pk, name in (
            (p.pk, p.sorted_name) for p in Pupil.objects.filter(pk__in={d["pupil_id"] for d in detail})
        )
    )
    subjects = dict(
        Subject.objects.filter(pk__in={d["subject_id"] for d in detail}).values_list("pk", "name")
    )
    for d in detail:
        d["pupil"], d["subject"] = pupils.get(d["pupil_id"], "—"), subjects.get(d["subject_id"], "—")
    return detail


@login_required
def impact(request):
    user = request.user
    permissions.require(can_see_impact(user))
    school = permissions.school_for(user)
    kinds, detail = queries.evaluate(school)
    detail.sort(key=lambda d: (d["kind"], d["change"]))
    return render(
        request,
        "interventions/impact/impact.html",
        {
            "kinds": kinds,
            "detail": _names(queries.with_standings(school, detail[:MAX_DETAIL])),
            "more": max(0, len(detail) - MAX_DETAIL),
            "school": school,
        },
    )


def cycle_section(cycle, user):
    """In the cycle report from the impact-evaluation stage (week 6): SLT see it."""
    if cycle.stage not in ("evaluation", "closed") or not can_see_impact(user):
        return None
    kinds, _ = queries.evaluate(cycle.school)
    return {"impact_kinds": kinds}
