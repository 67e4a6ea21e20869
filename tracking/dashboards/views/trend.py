"""The dashboard's trend through the year, a section of its own: the dashboard loads it after the page
(htmx), and without JavaScript its link opens it as a page. It counts every grade of the page's pupils
at this year's points and last year's, several times the grades the page itself counts, so the
headline figures need not wait for it."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import render

from tracking import standing
from tracking.dashboards import figures
from tracking.dashboards.views.cohort import Scope, headline_labels, page_trend


@login_required
def dashboard_trend(request):
    scope = Scope(request)  # the dashboard's own scope and checks: out of reach is a 404
    context = {"scope": scope, "school": scope.school, "trend": None}
    if scope.term is not None:
        context.update(_counted(request, scope))
    template = "_trend_section.html" if request.htmx else "trend.html"
    return render(request, f"tracking/dashboards/{template}", context)


def _counted(request, scope):
    """The trend and its table for a scope with an uplift."""
    grades = standing.GradeTable(connection.vendor)
    # The uplift's own half term: the page's grades, counted as the dashboard counts them (alike grades
    # together give the same figures: tests/tracking/dashboards/test_trend.py), by year group for the
    # row's "Years 7–11".
    sets = figures.figure_sets(
        scope.entries,
        scope.thresholds,
        {},
        {"years": ("point__year_group__number", "int")},
        points=scope.points,
        grades=grades,
        alike=True,
    )
    counted = [scope.year] if scope.year is not None else [r.key for r in sets["years"] if r.graded]
    trend, trend_table = page_trend(request, scope, grades, sets["total"], counted)
    return {
        "trend": trend,
        "trend_table": trend_table,
        "count_labels": headline_labels(scope.school, scope.thresholds),
    }
