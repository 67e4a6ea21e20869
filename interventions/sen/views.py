"""The SENCo's view (issue 13): the dashboard's figures split by need, with plans and sessions.

Scope is the dashboard's (tracking.dashboards.views.Scope): the whole school for the SENCo and SLT, a
head of department's department, a teacher's own groups; term, year, subject and group as there.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tracking import permissions, standing
from tracking.dashboards.views import Scope

from ..plans.access import plans_visible_to
from . import queries

NEED_FILTERS = {"K": "SEN support", "E": "EHC plan"} | dict(queries.NEED_TYPES)


@login_required
def sen_view(request):
    permissions.require(permissions.can_see_sen_view(request.user))
    scope = Scope(request)
    context = {"scope": scope, "school": scope.school}
    if scope.term is None:
        return render(request, "interventions/sen/sen.html", context)
    # No movers on this page: no join to the grade at the point before.
    figures = queries.figures(scope.entries, scope.thresholds, {}, points=scope.points)
    subjects = list(
        scope.school.subjects.filter(pk__in={key[0] for key in figures["subject_need"]}).order_by("name")
    )
    need = request.GET.get("need") if request.GET.get("need") in NEED_FILTERS else None
    pupils = queries.sen_pupils(
        figures["pupil"].keys(),
        figures,
        plans_visible_to(request.user),
        need=need,
        page=request.GET.get("page"),
    )
    context.update(
        total=figures["total"],
        needs=queries.need_rows(figures),
        primary_needs=queries.primary_need_rows(figures),
        subjects=queries.subject_rows(figures, subjects),
        need_labels=[label for _need, label in queries.NEEDS],
        pupils=pupils.object_list,
        page_obj=pupils,
        need=need,
        need_filters=NEED_FILTERS,
        labels={s: standing.label(s, scope.school) for s in standing.STATUSES},
        count_labels=standing.count_labels(scope.school),
    )
    return render(request, "interventions/sen/sen.html", context)
