"""The dashboard's trend through the year, and each trust school's on the trust view: sections of their
own that the page loads after itself (htmx); without JavaScript a link opens each as a page. A trend
counts every grade of the page's pupils at this year's points and last year's, several times the grades
the page itself counts, so the headline figures need not wait for it."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import get_object_or_404, render
from django_tables2 import RequestConfig

from tracking import permissions, standing
from tracking.dashboards import figures, queries
from tracking.dashboards.tables.cohort import TrendTable
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
    sets = _own_half_term(scope.entries, scope.thresholds, scope.points, grades)
    counted = [scope.year] if scope.year is not None else [r.key for r in sets["year"] if r.graded]
    trend, trend_table = page_trend(request, scope, grades, sets["total"], counted)
    return {
        "trend": trend,
        "trend_table": trend_table,
        "count_labels": headline_labels(scope.school, scope.thresholds),
    }


def _own_half_term(entries, thresholds, points, grades):
    """The figures of the uplift's own half term, for its row of the trend: its grades (`entries`, at
    `points`) counted alike, which gives the figures the page counts one by one
    (tests/tracking/dashboards/test_trend.py), by year group for the row's "Years 7–11"."""
    return figures.figure_sets(
        entries, thresholds, {}, {"year": queries.YEAR_GROUPING}, points=points, grades=grades, alike=True
    )


@login_required
def trust_trend(request, pk):
    """One trust school's trend to its latest uplift, as the trust view counts it: trust staff only, and
    only their trust's schools (any other id is a 404)."""
    permissions.require(permissions.can_see_trust_dashboard(request.user))
    school = get_object_or_404(permissions.trust_schools_for(request.user), pk=pk)
    entries = permissions.trust_dashboard_entries(request.user, school)
    permissions.require(entries is not None)
    thresholds = standing.Thresholds.of(school)
    h = queries.Headline(school, None, None, [], None)
    h.count_labels = headline_labels(school, thresholds)
    terms = queries.terms_with_data(school)
    if terms:
        h.term = terms[0]
        points, trend_points = queries.uplift_points(h.term, terms)
        grades = standing.GradeTable(connection.vendor)
        sets = _own_half_term(entries.filter(point__in=points), thresholds, points, grades)
        h.trend = queries.whole_school_trend(
            entries, thresholds, (h.term, points, trend_points), sets, grades
        )
        h.trend_table = TrendTable(h.trend, on_label=h.count_labels["on_target"], prefix=f"t{school.pk}-")
        RequestConfig(request, paginate=False).configure(h.trend_table)
    context = {"h": h, "school": permissions.school_for(request.user)}
    if request.htmx:
        return render(request, "tracking/dashboards/_trust_trend.html", context)
    return render(request, "tracking/dashboards/trust_trend.html", context)
