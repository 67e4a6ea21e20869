"""Pages of the tracking cycle: the calendar, a cycle, verification, health checks, the cycle report,
and the failed-task page. Thin: permissions decide, services write, cycle_queries read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django_tables2 import RequestConfig

from tracking import permissions, standing
from tracking.cycle import health, queries, report, services, verification
from tracking.cycle.charts import as_data_uri, group_chart_svg
from tracking.cycle.forms import CycleDatesForm
from tracking.cycle.tables import (
    HealthPupilFilter,
    HealthPupilTable,
    health_pupil_rows,
    verification_rows_html,
)
from tracking.lib import exports
from tracking.lib.errors import DomainError
from tracking.lib.queue import failed_task_retry
from tracking.models import STAGE_ORDER, HealthCheck, SheetReturn, Stage, TeachingGroup

STAGES = [s for s in STAGE_ORDER if s != Stage.PLANNED]


def _stage_steps(cycle):
    """The stages with their dates and whether each is done, current or to come."""
    steps = []
    for stage in STAGES:
        index = STAGE_ORDER.index(stage)
        state = "done" if index < cycle.stage_index else "current" if index == cycle.stage_index else "todo"
        steps.append({"stage": stage, "label": stage.label, "date": cycle.date_for(stage), "state": state})
    return steps


@login_required
def cycle_calendar(request):
    permissions.require(permissions.can_view_cycles(request.user))
    school = permissions.school_for(request.user)
    visible = permissions.cycles_visible_to(request.user)
    years = list(queries.calendar_years(visible))
    year = next((y for y in years if str(y.pk) == request.GET.get("year")), None)
    if year is None:
        year = next((y for y in years if y.is_current), years[0] if years else None)
    cycles = list(queries.calendar(visible.filter(academic_year=year)))
    rows = []
    for cycle in cycles:
        stage, when = services.next_due(cycle)
        rows.append({"cycle": cycle, "steps": _stage_steps(cycle), "next_stage": stage, "next_at": when})
    return render(
        request,
        "tracking/cycle/calendar.html",
        {
            "rows": rows,
            "school": school,
            "years": years,
            "year": year,
            "can_manage": permissions.can_manage_cycles(request.user),
            "now": timezone.now(),
        },
    )


@login_required
def cycle_detail(request, pk):
    cycle = permissions.get_cycle_or_404(request.user, pk)
    departments = permissions.health_departments_for(request.user)
    if fmt := exports.requested(request):
        headers = ["When", "From", "To", "By", "How", "Note"]
        rows = [
            [t.at, t.get_from_stage_display(), t.get_to_stage_display(), t.by_label, t.via, t.note]
            for t in queries.transitions(cycle)
        ]
        return exports.download(fmt, headers, rows, name=f"{cycle.name} transitions", sheet="Transitions")
    stage, when = services.next_due(cycle)
    return render(
        request,
        "tracking/cycle/detail.html",
        {
            "cycle": cycle,
            "steps": _stage_steps(cycle),
            "points": cycle.points.select_related("year_group"),
            "transitions": queries.transitions(cycle),
            "health_checks": queries.health_checks(cycle, departments),
            "next_stage": stage,
            "next_at": when,
            "can_manage": permissions.can_manage_cycles(request.user),
        },
    )


@login_required
def cycle_dates(request, pk):
    permissions.require(permissions.can_manage_cycles(request.user))
    cycle = permissions.get_cycle_or_404(request.user, pk)
    form = CycleDatesForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.cycle_dates_change(cycle=cycle, dates=form.cleaned_data, by=request.user)
        except services.CycleDatesInvalid as error:
            # The cycle moved on while the form was open: show why, keep what was typed.
            for name, message in error.errors.items():
                form.add_error(name, message)
        else:
            if changed:
                messages.success(request, f"{cycle.name}: stage dates saved.")
            else:
                messages.info(request, f"{cycle.name}: no dates changed.")
            return redirect(f"{reverse('cycle_calendar')}?year={cycle.academic_year_id}")
    return render(
        request,
        "tracking/cycle/dates.html",
        {"cycle": cycle, "form": form, "steps": _stage_steps(cycle)},
    )


ACTIONS = {
    "advance": ("Advance now", "Move this cycle into its next stage now, with that stage's side effects."),
    "hold": ("Hold", "Pause this cycle: the scheduler skips it until you release it."),
    "release": ("Release", "Let the scheduler move this cycle again; overdue stages run at its next tick."),
    "fast-forward": (
        "Fast-forward for demonstration",
        "Run the due transitions as if the clock stood at the next stage's date. For demonstrations "
        "and training: the change is real and recorded as a fast-forward under your name.",
    ),
}


@login_required
def cycle_action(request, pk, action):
    permissions.require(permissions.can_manage_cycles(request.user))
    cycle = permissions.get_cycle_or_404(request.user, pk)
    if action not in ACTIONS:
        raise Http404("No such action")
    title, explanation = ACTIONS[action]
    if request.method == "POST":
        user = request.user
        try:
            if action == "advance":
                transition = services.cycle_advance(cycle=cycle, by=user, note=request.POST.get("note", ""))
                messages.success(request, f"{cycle.name} moved to {transition.get_to_stage_display()}.")
            elif action == "hold":
                services.cycle_hold(cycle=cycle, by=user, reason=request.POST.get("note", ""))
                messages.success(request, f"{cycle.name} is held; the scheduler will skip it.")
            elif action == "release":
                services.cycle_release(cycle=cycle, by=user)
                messages.success(request, f"{cycle.name} is released.")
            else:
                ran = services.cycle_fast_forward(cycle=cycle, by=user)
                cycle.refresh_from_db()
                messages.success(
                    request,
                    f"Fast-forwarded {cycle.name}: {len(ran)} transition(s) run; "
                    f"now at {cycle.get_stage_display()}.",
                )
        except DomainError as error:
            messages.error(request, error.message)
        except services.CycleHeld:
            messages.error(request, "This cycle is held; release it first.")
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("cycle_detail", pk=cycle.pk)
    return render(
        request,
        "tracking/cycle/confirm.html",
        {
            "cycle": cycle,
            "action": action,
            "title": title,
            "explanation": explanation,
            "next": services.next_due(cycle),
        },
    )


@login_required
def cycle_verify(request, pk):
    cycle = permissions.get_cycle_or_404(request.user, pk)
    departments = permissions.verification_departments_or_404(request.user)
    is_slt = permissions.signs_off_as_slt(request.user)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "verify":
                department = get_object_or_404(departments, pk=request.POST.get("department"))
                verification.department_sign_off(
                    cycle=cycle,
                    department=department,
                    by=request.user,
                    is_slt=is_slt,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, f"{department.name}: data signed off as verified.")
            elif request.POST.get("action") == "return":
                group = get_object_or_404(
                    TeachingGroup.objects.select_related("subject"),
                    pk=request.POST.get("group"),
                    subject__department__in=departments,
                )
                verification.sheet_send_back(
                    cycle=cycle, group=group, reason=request.POST.get("reason", ""), by=request.user
                )
                messages.success(request, f"{group.name} sent back to its teacher.")
            elif request.POST.get("action") == "resolve":
                sheet = get_object_or_404(
                    SheetReturn.objects.select_related("teaching_group", "cycle"),
                    pk=request.POST.get("sheet"),
                    cycle=cycle,
                    resolved_at__isnull=True,
                    teaching_group__subject__department__in=departments,
                )
                verification.sheet_resubmit(sheet=sheet, by=request.user)
                messages.success(request, f"{sheet.teaching_group.name} is corrected and closed again.")
            else:
                raise Http404("No such action")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("cycle_verify", pk=cycle.pk)
    if fmt := exports.requested(request):
        headers, rows = _verification_table(queries.verification_board(cycle, departments))
        return exports.download(fmt, headers, rows, name=f"{cycle.name} verification", sheet="Verification")
    board = queries.verification_board(cycle, departments)
    verifying = cycle.stage == Stage.VERIFICATION
    csrf = csrf_input(request)
    for entry in board:
        entry["rows"] = verification_rows_html(entry["groups"], verifying, csrf)
    return render(
        request,
        "tracking/cycle/verify.html",
        {"cycle": cycle, "board": board, "is_slt": is_slt, "verifying": verifying},
    )


def _sign_off(done):
    return (
        f"{done.get_status_display()} by {done.by.display_name}, {timezone.localtime(done.at):%d %b %H:%M}"
        if done
        else ""
    )


def _verification_table(board):
    """The verification page's groups, one row each, with their department's sign-offs."""
    headers = [
        "Department", "Head of department", "Senior leader", "Group", "Subject", "Teachers", "Pupils",
        "Rows complete", "Sheet",
    ]  # fmt: skip
    rows = []
    for entry in board:
        signed = [entry["department"].name, _sign_off(entry["hod"]), _sign_off(entry["slt"])]
        for group in entry["groups"]:
            sheet = f"Sent back: {group.open_return.reason}" if group.open_return else "Closed"
            teachers = ", ".join(str(t) for t in group.teacher_list)
            rows.append(
                [*signed, group.name, group.subject_name, teachers, group.pupil_count, group.entered, sheet]
            )
    return headers, rows


def _checks_with_totals(cycle, departments):
    return [
        {"check": check, "totals": health.totals(check)}
        for check in queries.health_checks(cycle, departments)
    ]


@login_required
def health_check_list(request, pk):
    cycle = permissions.get_cycle_or_404(request.user, pk)
    departments = permissions.health_departments_for(request.user)
    permissions.require(departments.exists())
    checks = _checks_with_totals(cycle, departments)
    labels = standing.count_labels(cycle.school)
    if fmt := exports.requested(request):
        headers = ["Department", "Completion %", "On target %", labels["well_below_short"]]
        headers += [labels["below_floor"], "Up", "Down"]
        keys = ("completion_pct", "on_target_pct", "below_2", "below_4", "up", "down")
        rows = [[i["check"].department.name] + [i["totals"].get(k) for k in keys] for i in checks]
        return exports.download(fmt, headers, rows, name=f"health checks {cycle.name}", sheet="Health checks")
    return render(
        request, "tracking/cycle/health_list.html", {"cycle": cycle, "checks": checks, "labels": labels}
    )


def _health_check_or_404(user, pk, department_pk):
    cycle = permissions.get_cycle_or_404(user, pk)
    departments = permissions.health_departments_for(user)
    try:
        # Filter the department by its own pk: an out-of-range id then matches nothing (a bare
        # department_id= lookup sends it to the database, which fails with an overflow).
        check = HealthCheck.objects.select_related("department").get(
            cycle=cycle, department__in=departments.filter(pk=department_pk)
        )
    except (HealthCheck.DoesNotExist, ValueError):
        raise Http404("No such health check") from None
    check.cycle = cycle  # already read, with its year and school
    return check


@login_required
def health_check_detail(request, pk, department_pk):
    check = _health_check_or_404(request.user, pk, department_pk)
    rows = health_pupil_rows(check.cycle, check.department)
    pupil_filter = HealthPupilFilter(request.GET, queryset=rows, department=check.department)
    table = HealthPupilTable(
        pupil_filter.qs.order_by("pupil__legal_last_name", "pupil__legal_first_name", "pk"),
        book=standing.Book(check.cycle.school),
    )
    if fmt := exports.requested(request):
        name = f"health check {check.department.name}"
        return exports.table_download(request, table, fmt, name=name, sheet="Health check")
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    _read_page_by_ids(table, rows)
    return render(
        request,
        "tracking/cycle/health_detail.html",
        {
            "check": check,
            "cycle": check.cycle,
            "totals": health.totals(check),
            "filter": pupil_filter,
            "table": table,
            "labels": standing.count_labels(check.cycle.school),
        },
    )


def _read_page_by_ids(table, rows):
    """Read the table's page in two steps: the page's ids in its order and filters (the database drops
    the standing's joins a bare id list does not need), then those rows with their standing from `rows`.
    Planning the standing's joins for the sorted, filtered page cost more than reading it; for fifty
    named rows it costs a fraction."""
    page = table.page.object_list
    ids = list(page.data.values_list("pk", flat=True))
    found = rows.in_bulk(ids)
    page.data = [found[pk] for pk in ids]


@login_required
def health_check_chart(request, pk, department_pk):
    check = _health_check_or_404(request.user, pk, department_pk)
    response = HttpResponse(group_chart_svg(check), content_type="image/svg+xml")
    # An SVG image carries its own <style>; this response's policy allows that and nothing else.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=60"
    return response


# The pupils furthest below a health check's PDF lists: a department of a large school has hundreds below,
# and laying out each row is most of the PDF's time (every one is on the check's page and in its download).
HEALTH_PDF_BELOW = 100


@login_required
def health_check_pdf(request, pk, department_pk):
    from tracking.lib.pdf import render_pdf

    check = _health_check_or_404(request.user, pk, department_pk)
    rows = (
        health_pupil_rows(check.cycle, check.department)
        .filter(standing__in=standing.BELOW_STATUSES)
        .order_by("standing_diff", "pupil__legal_last_name")
    )
    book = standing.Book(check.cycle.school)
    below = list(rows[:HEALTH_PDF_BELOW])
    for row in below:
        expected = standing.grade_at_step(book.values(row.target_scale), row.expected_step)
        row.expected_code = expected.code if expected else ""
        row.standing_label = standing.label(row.standing, book.school)
    pdf = render_pdf(
        "tracking/cycle/health_pdf.html",
        {
            "check": check,
            "cycle": check.cycle,
            "totals": health.totals(check),
            "chart": as_data_uri(group_chart_svg(check)),
            "below": below,
            "below_count": rows.count(),
            "below_most": HEALTH_PDF_BELOW,
            "labels": standing.count_labels(check.cycle.school),
            "generated": timezone.now(),
        },
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"health-check-{check.department.name}-{check.cycle.name}".lower().replace(" ", "-")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}.pdf")
    return response


@login_required
def cycle_report(request, pk):
    cycle = permissions.get_cycle_or_404(request.user, pk)
    departments = permissions.health_departments_for(request.user)
    permissions.require(departments.exists())
    checks = _checks_with_totals(cycle, departments)
    if fmt := exports.requested(request):
        sheets = [_departments_sheet(checks, standing.count_labels(cycle.school))]
        for section in report.sections_for(cycle, request.user):
            sheets += section["sheets"]() if "sheets" in section else []
        return exports.download_sheets(fmt, sheets, name=f"cycle report {cycle.name}")
    return render(
        request,
        "tracking/cycle/report.html",
        {
            "cycle": cycle,
            "checks": checks,
            "transitions": queries.transitions(cycle),
            "sections": report.sections_for(cycle, request.user),
            "labels": standing.count_labels(cycle.school),
        },
    )


def _departments_sheet(checks, labels):
    headers = ["Department", "Completion %", "On target %", labels["well_below_short"], labels["below_floor"]]
    rows = [
        [
            item["check"].department.name, item["totals"]["completion_pct"], item["totals"]["on_target_pct"],
            item["totals"]["below_2"], item["totals"]["below_4"],
        ]
        for item in checks
    ]  # fmt: skip
    return ("Departments", headers, rows)


@login_required
def failed_tasks(request):
    permissions.require(permissions.is_data_manager(request.user))
    tasks = permissions.failed_tasks_visible_to(request.user).select_related("retried_by", "school")
    if fmt := exports.requested(request):
        headers = ["When", "School", "Task", "Arguments", "Error", "Retried", "Retried by"]
        rows = [
            [t.at, t.school.name if t.school else "", t.task_name,
             f"{t.args} {t.kwargs}" if t.kwargs else str(t.args), t.exception, t.retried_at,
             t.retried_by.display_name if t.retried_by else ""]
            for t in tasks
        ]  # fmt: skip
        return exports.download(fmt, headers, rows, name="failed tasks", sheet="Failed tasks")
    tasks = tasks[:200]
    return render(
        request,
        "tracking/cycle/failed_tasks.html",
        {"tasks": tasks, "show_school": request.user.is_trust_admin},
    )


@login_required
def failed_task_retry_view(request, pk):
    permissions.require(permissions.is_data_manager(request.user))
    failed = get_object_or_404(permissions.failed_tasks_visible_to(request.user), pk=pk)
    if request.method == "POST":
        failed_task_retry(failed=failed, by=request.user)
        messages.success(request, f"{failed.task_name} queued again.")
        return redirect("failed_tasks")
    return render(request, "tracking/cycle/failed_task_retry.html", {"task": failed})
