"""Oversight pages: marksheet completion and reminders, master grids, the grade audit trail."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django_tables2 import RequestConfig

from tracking import permissions
from tracking.audit import queries
from tracking.lib import exports, queue
from tracking.models import AssessmentPoint, Department
from tracking.oversight import completion, completion_tables, master_grid, master_grid_table, tasks
from tracking.oversight.completion_tallies import marksheet_url

VIEWS = (
    ("chase", "Chase list"),
    ("point", "By point"),
    ("department", "By department"),
    ("teacher", "By teacher"),
    ("group", "By group"),
)


def _int_list(values):
    out = []
    for value in values:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            continue
    return out


@login_required
def completion_page(request):
    user = request.user
    permissions.require(permissions.can_see_completion(user))
    school = permissions.school_for(user)
    scope = permissions.completion_departments(user)
    all_points = completion.points_for_selection(school)
    wanted = set(_int_list(request.GET.getlist("point")))
    chosen = [p for p in all_points if p.pk in wanted] or completion.default_points(all_points)
    departments = Department.objects.filter(school=school).order_by("name")
    if scope is not None:
        departments = departments.filter(pk__in=scope)
    departments = list(departments)
    department = next((d for d in departments if str(d.pk) == request.GET.get("department")), None)
    view = request.GET.get("view") if request.GET.get("view") in dict(VIEWS) else "chase"
    result = completion.completion_for(
        chosen, {department.pk} if department else scope, subjects=view in ("department", "group")
    )
    keep = [("point", p.pk) for p in chosen] + ([("department", department.pk)] if department else [])
    tabs = [
        {"key": key, "label": label, "url": "?" + urlencode([*keep, ("view", key)]), "active": key == view}
        for key, label in VIEWS
    ]
    rows = {
        "point": result.by_point,
        "department": result.by_department,
        "teacher": result.by_teacher,
        "chase": result.chase_list,
    }.get(view)
    rows = rows() if rows else None
    if view == "chase":
        for tally in rows:
            tally.chips = completion_tables.chase_chips_html(tally.sheets_to_chase)
    if view in ("department", "point"):
        # Drill down: a department's (or a point's) sheets, one by one.
        for tally in rows:
            if view == "department":
                params = [("point", p.pk) for p in chosen] + [("department", tally.key)]
            else:
                params = [("point", tally.key)] + ([("department", department.pk)] if department else [])
            tally.drill = "?" + urlencode([*params, ("view", "group")])
    if fmt := exports.requested(request):
        table = completion_tables.export_table(view, result, rows)
        return exports.download(fmt, *table, name=f"completion {view}", sheet="Completion")
    can_remind = permissions.can_send_reminders(user)
    context = {
        "page_title": "Marksheet completion",
        "points": all_points,
        "chosen": chosen,
        "chosen_ids": {p.pk for p in chosen},
        "departments": departments,
        "department": department,
        "show_department_filter": len(departments) > 1,
        "result": result,
        "overall": result.overall,
        "view": view,
        "tabs": tabs,
        "rows": rows,
        "sheets": result.sheets if view == "group" else None,
        "sheet_rows": completion_tables.sheet_rows_html(result.sheets, can_remind) if view == "group" else "",
        "can_remind": can_remind,
        "last_reminder": completion.last_reminder(school) if can_remind else None,
        "today": timezone.localdate(),
        "master_subjects": None,
    }
    return render(request, "tracking/oversight/completion.html", context)


@login_required
def completion_remind(request):
    """GET: who would be reminded (a preview); POST: queue the reminder emails."""
    user = request.user
    permissions.require(permissions.can_send_reminders(user))
    school = permissions.school_for(user)
    data = request.POST if request.method == "POST" else request.GET
    points = list(
        AssessmentPoint.objects.filter(school=school, pk__in=_int_list(data.getlist("point")))
        .select_related("year_group", "academic_year")
        .order_by("opens_on", "year_group__number", "sequence")
    )
    point_ids = sorted(p.pk for p in points)
    back = reverse("completion") + "?" + urlencode([("point", pk) for pk in point_ids])
    if request.method != "POST":
        chase = completion.completion_for(points).chase_list()
        return render(
            request,
            "tracking/oversight/remind_confirm.html",
            {"page_title": "Send reminders", "points": points, "chase": chase, "back": back},
        )
    if not point_ids:
        messages.error(request, "Choose at least one assessment point before sending reminders.")
        return redirect("completion")
    outcome = queue.enqueue_now(
        tasks.send_completion_reminders, [school.pk, point_ids, user.pk, request.build_absolute_uri("/")]
    )
    if outcome == queue.FAILED:
        # Without a broker the task runs here and now: a mail server that is still down after the
        # task's retries must come back as a message, not an error page.
        messages.error(request, "The mail server did not answer, so no reminders were sent. Try again later.")
        return redirect(back)
    if outcome == queue.PENDING:
        messages.warning(request, "The task queue is not answering: the reminders will go when it is back.")
        return redirect(back)
    messages.success(
        request,
        "Reminders are on their way to every teacher with an unfinished marksheet at the chosen points.",
    )
    return redirect(back)


# -- Master grids ------------------------------------------------------------------------------


@login_required
def master_chooser(request):
    permissions.require(permissions.can_browse_master_grids(request.user))
    subjects = permissions.master_grid_subjects(request.user).select_related("department")
    subjects = list(subjects.order_by("department__name", "name"))
    years = master_grid.year_groups_with_groups(subjects)
    rows = [{"subject": s, "years": years.get(s.pk, [])} for s in subjects]
    return render(
        request,
        "tracking/oversight/master_chooser.html",
        {"page_title": "Master tracking grids", "rows": rows},
    )


def _master_context(request, subject_id, paged=False):
    subject = permissions.get_master_subject_or_404(request.user, subject_id)
    years = master_grid.year_groups_with_groups([subject]).get(subject.pk, [])
    permissions.require(years)
    try:
        number = int(request.GET.get("year") or years[-1])
    except ValueError:
        number = years[-1]
    if number not in years:
        number = years[-1]
    grid, grid_filter, rows = master_grid.build(
        subject=subject,
        year_number=number,
        filter_data=request.GET,
        visible=permissions.pupils_visible_to(request.user),
        paged=paged,
    )
    return subject, years, number, grid, grid_filter, rows


@login_required
def master_detail(request, subject_id):
    # As the grid opens (by name) only the page shown is built; a sorted grid needs every row.
    paged = not request.GET.get("sort")
    subject, years, number, grid, grid_filter, rows = _master_context(request, subject_id, paged=paged)
    # Rows are already limited to pupils this user may see, so every name links to the pupil page.
    table = master_grid_table.table_for(grid, rows)
    # django-tables2 renders cell by cell, so hundreds of pupils x points are paged; exports hold all.
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    query = request.GET.copy()
    query.pop("sort", None)
    return render(
        request,
        "tracking/oversight/master_detail.html",
        {
            "page_title": f"{subject.name}: Year {number} master grid",
            "subject": subject,
            "years": years,
            "number": number,
            "grid": grid,
            "filter": grid_filter,
            "table": table,
            "shown": len(rows),
            "export_query": request.GET.urlencode(),
            "breadcrumbs": [
                {"label": "Master grids", "url": reverse("master_chooser")},
                {"label": f"{subject.name} Y{number}", "url": ""},
            ],
        },
    )


@login_required
def master_export(request, subject_id, fmt):
    if fmt not in exports.FORMATS:
        raise Http404("No such format")
    subject, years, number, grid, grid_filter, rows = _master_context(request, subject_id)
    rows = master_grid_table.sort_rows(grid, rows, request.GET.get("sort"))
    content, content_type = exports.render(
        fmt,
        master_grid_table.export_headers(grid),
        master_grid_table.export_rows(grid, rows),
        sheet="Master grid",
    )
    filename = f"{subject.name}-Y{number}-master-{timezone.localdate():%Y-%m-%d}.{fmt}".replace(" ", "-")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


# -- Audit history -----------------------------------------------------------------------------


def _history_page(request, events):
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return page, queries.describe(page.object_list)


def _change_text(row):
    if row.get("reopen"):
        r = row["reopen"]
        text = str(r["scope"]) + (f" until {r['until']}" if r.get("until") else "")
        return text + (f": {r['reason']}" if r.get("reason") else "")
    if row.get("changes"):
        if row.get("is_new"):
            return "; ".join(f"{c.label} set to {c.new}" for c in row["changes"])
        return "; ".join(f"{c.label}: {c.old} → {c.new}" for c in row["changes"])
    return "No value changed"


def _history_download(fmt, events, name):
    """Every event of a grade history (not one page), as the page describes them."""
    headers = ["When", "Who", "Pupil", "UPN", "Subject", "Point", "Change", "Through"]
    rows = []
    for row in queries.describe(events):
        event, entry = row["event"], row.get("entry")
        rows.append(
            [
                event.at,
                event.by.display_name if event.by else "System",
                event.pupil.sorted_name if event.pupil else "",
                event.pupil.upn if event.pupil else "",
                entry.subject.name if entry else "",
                entry.point.name if entry else "",
                _change_text(row),
                row.get("via", ""),
            ]
        )
    return exports.download(fmt, headers, rows, name=name, sheet="Grade history")


@login_required
def pupil_grade_history(request, pk):
    permissions.require(permissions.can_see_audit_history(request.user))
    pupil = permissions.get_pupil_or_404(request.user, pk)
    if fmt := exports.requested(request):
        return _history_download(fmt, queries.for_pupil(pupil), f"{pupil.full_name} grade history")
    page, rows = _history_page(request, queries.for_pupil(pupil))
    return render(
        request,
        "tracking/oversight/history.html",
        {
            "page_title": f"{pupil.full_name}: grade history",
            "page_obj": page,
            "rows": rows,
            "show_pupil": False,
            "breadcrumbs": [
                {"label": "Pupils", "url": reverse("pupil_list")},
                {"label": pupil.full_name, "url": reverse("pupil_detail", args=[pupil.pk])},
                {"label": "Grade history", "url": ""},
            ],
        },
    )


@login_required
def sheet_history(request, group_id, point_id):
    permissions.require(permissions.can_see_audit_history(request.user))
    group = permissions.get_group_or_404(request.user, group_id)
    point = AssessmentPoint.objects.filter(
        pk=point_id, school_id=group.school_id, academic_year_id=group.academic_year_id
    ).first()
    permissions.require(point is not None and point.year_group_id == group.year_group_id)
    if fmt := exports.requested(request):
        return _history_download(fmt, queries.for_sheet(group, point), f"{group.name} {point.name} history")
    page, rows = _history_page(request, queries.for_sheet(group, point))
    return render(
        request,
        "tracking/oversight/history.html",
        {
            "page_title": f"{group.name} · {point.name}: grade history",
            "page_obj": page,
            "rows": rows,
            "show_pupil": True,
            "group": group,
            "point": point,
            "marksheet_url": marksheet_url(group.pk, point.pk),
            "breadcrumbs": [
                {"label": "Groups", "url": reverse("group_list")},
                {"label": group.name, "url": reverse("group_detail", args=[group.pk])},
                {"label": f"{point.name} history", "url": ""},
            ],
        },
    )
