"""The SENCo's view (issue 13): the dashboard's figures split by need, with plans and sessions.

Scope is the dashboard's (tracking.dashboards.views.cohort.Scope): the whole school for the SENCo and SLT, a
head of department's department, a teacher's own groups; term, year, subject and group as there.
"""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django_tables2 import RequestConfig

from tracking import permissions, standing
from tracking.dashboards.tables.download import download
from tracking.dashboards.views.cohort import Scope, pdf_response
from tracking.lib import exports

from ..plans.access import plans_visible_to
from . import queries
from .tables import NeedTable, SenPupilsData, SenPupilsTable, SubjectNeedTable

SEN_PUPILS_PER_PAGE = 50
NEED_FILTERS = {"K": "SEN support", "E": "EHC plan"} | dict(queries.NEED_TYPES)


@login_required
def sen_view(request):
    permissions.require(permissions.can_see_sen_view(request.user))
    scope = Scope(request)
    context = {"scope": scope, "school": scope.school}
    if scope.term is None:
        return render(request, "interventions/sen/sen.html", context)
    need = request.GET.get("need") if request.GET.get("need") in NEED_FILTERS else None
    fmt = request.GET.get("export") if request.GET.get("export") in exports.FORMATS else None
    printing = request.GET.get("print") == "pdf"
    # A download holds every SEN pupil in scope; the page, and its PDF, fifty of them in the page's sort
    # (tracking/lib/printed.py).
    paged = not fmt
    labels = {s: standing.label(s, scope.school) for s in standing.STATUSES}
    on_label = standing.count_labels(scope.school)["on_target"]
    # A school of thousands has hundreds of SEN pupils: the table shows them a page at a time, and reads
    # plans and sessions for that page's pupils only. No movers on this page: no join to the grade at the
    # point before.
    counted = {}  # the figures, once counted: for every SEN pupil, or (see below) for the page's
    if permissions.access_for(request.user).whole_school_reader and paged:
        # Counted in each of their subjects as well as one by one, a whole school's SEN pupils made the
        # figures' one query add up ten thousand rows (60 of its 210 ms at 6,000 pupils): here the SEN
        # pupils with grades are found first and only the page's counted, unless the table is sorted by
        # a count. A narrower scope has few, and finding them first costs more than it saves.
        sen = queries.sen_pupils(scope.entries.values("pupil_id"), need=need)

        def every_pupils_figures():
            if "pupil" not in counted:
                counted.update(
                    queries.figures(scope.entries, scope.thresholds, {}, points=scope.points, pupils=sen.pks)
                )
            return counted
    else:
        counted.update(queries.figures(scope.entries, scope.thresholds, {}, points=scope.points))
        sen = queries.sen_pupils(counted["pupil"].keys(), need=need)

        def every_pupils_figures():
            return counted

    table = SenPupilsTable(
        SenPupilsData(sen, partial(_order_keys, sen, every_pupils_figures)),
        on_label=on_label,
    )
    RequestConfig(request, paginate={"per_page": SEN_PUPILS_PER_PAGE} if paged else False).configure(table)
    rows = list(table.page.object_list.data) if paged else list(table.data)
    if not counted:
        counted.update(
            queries.figures(
                scope.entries,
                scope.thresholds,
                {},
                points=scope.points,
                pupils=[row.pupil.pk for row in rows],
            )
        )
    queries.add_figures(rows, counted)
    queries.add_plans_and_sessions(rows, plans_visible_to(request.user))
    subjects = list(
        scope.school.subjects.filter(pk__in={key[0] for key in counted["subject_need"]}).order_by("name")
    )
    needs, primary_needs = queries.need_rows(counted), queries.primary_need_rows(counted)
    subject_rows = queries.subject_rows(counted, subjects)
    common = {"on_label": on_label, "well_below_label": labels["well_below"]}
    need_tables = [
        NeedTable(
            needs, heading="SEN status", title="By SEN status", anchor="need-heading", prefix="n-",
            empty_text="No grades here yet.", **common,
        ),
        NeedTable(
            primary_needs, heading="Primary need", title="By primary need", anchor="primary-need-heading",
            prefix="p-", empty_text="No SEN pupils with grades here.", **common,
        ),
        SubjectNeedTable(
            subject_rows, needs=[label for _need, label in queries.NEEDS], on_label=on_label, prefix="s-",
        ),
    ]  # fmt: skip
    for need_table in need_tables:
        RequestConfig(request, paginate=False).configure(need_table)
    if fmt:
        # CSV: the SEN pupils; XLSX: they and the three figure tables, a sheet each.
        return download([table, *need_tables], fmt, f"SEN pupils {scope.term}")
    context.update(
        total=counted["total"],
        needs=needs,
        primary_needs=primary_needs,
        subjects=subject_rows,
        need_table=need_tables[0],
        primary_need_table=need_tables[1],
        subject_table=need_tables[2],
        table=table,
        pupils=rows,
        pupil_count=len(sen),
        need=need,
        need_filters=NEED_FILTERS,
        labels=labels,
        count_labels=standing.count_labels(scope.school),
    )
    if printing:
        return pdf_response(request, "interventions/sen/sen_pdf.html", context, f"SEN pupils {scope.term}")
    return render(request, "interventions/sen/sen.html", context)


def _order_keys(sen, every_pupils_figures, column):
    """{pupil id: sort key} for a column of the SEN pupils' table: names, years and needs as read with
    the ids; the counts from the figures of every SEN pupil (counted only when the table is sorted so)."""
    if column in sen.keys:
        return sen.keys[column]
    if column in ("on_target", "below"):
        figures = every_pupils_figures()["pupil"]
        if column == "below":
            return {pk: f.below_or_well_below for pk, f in figures.items()}
        return {pk: f.on_or_above / f.with_standing for pk, f in figures.items() if f.with_standing}
    return {}
