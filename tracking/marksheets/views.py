"""Marksheet pages: my marksheets, one sheet (full save and per-row autosave), reopening windows."""

from datetime import datetime, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tracking import permissions, standing
from tracking.audit.queries import grade_values_changed
from tracking.cycle import verification
from tracking.lib import exports
from tracking.lib.errors import DomainError
from tracking.marksheets import forms, outcomes, queries, services, windows
from tracking.models import AssessmentPoint


def htmx_login_required(view):
    """login_required, but an htmx request gets a 401 the page understands instead of the login form."""
    protected = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and request.htmx:
            response = HttpResponse("Your session has ended. Sign in again to save.", status=401)
            response["HX-Trigger"] = "uplift:session-expired"
            return response
        return protected(request, *args, **kwargs)

    return wrapper


def _staff_only(user):
    permissions.require(permissions.is_staff_member(user))


def _sheet_or_404(user, group_id, point_id):
    group = (
        permissions.groups_visible_to(user)
        .select_related("school", "subject__scale", "subject__ks3_scale", "subject__department", "year_group")
        .filter(pk=group_id)
        .first()
    )
    permissions.require(group is not None)
    permissions.require(permissions.may_open_sheet(user, group))
    point = (
        windows.points_for_group(group)
        .select_related("year_group", "academic_year")
        .filter(pk=point_id)
        .first()
    )
    permissions.require(point is not None)
    return group, point


SHEETS_PER_PAGE = 50


def _deadline(s):
    if s.window.reopened_until:
        return f"Reopened until {s.window.reopened_until:%d %b %Y}"
    if s.window.state == "locked":
        return f"Locked (closed {s.point.closes_on:%d %b %Y})"
    if s.window.state == "future":
        return f"Opens {s.point.opens_on:%d %b %Y}"
    if s.window.state == "closed":
        return f"Closed {s.point.closes_on:%d %b %Y}"
    return s.point.closes_on


def _sheets_table(sheets):
    """(headers, rows) of the marksheet list, every sheet rather than one page."""
    headers = ["Group", "Subject", "Assessment point", "Status", "Rows done", "Pupils", "Deadline"]
    rows = [
        [s.group.name, str(s.group.subject), s.point.name, s.status_label, s.complete, s.pupils, _deadline(s)]
        for s in sheets
    ]
    return headers, rows


@login_required
def marksheet_list(request):
    """The user's own sheets; SLT and the data manager may widen to the whole school and past windows."""
    user = request.user
    _staff_only(user)
    whole_school = permissions.is_whole_school(user)
    own = permissions.groups_for_marksheets(user)
    scope = request.GET.get("scope")
    if scope not in ("all", "mine"):
        # The data team fills in no sheets of its own: an empty "Mine" is no place to start.
        scope = "all" if whole_school and not own.exists() else "mine"
    show_all = whole_school and scope == "all"
    include_closed = request.GET.get("when") == "all"
    groups = permissions.groups_visible_to(user) if show_all else own
    # A whole school's sheets across every window run to thousands: count rows for one page only.
    listed = queries.sheet_windows(groups, open_only=not include_closed)
    if fmt := exports.requested(request):
        return exports.download(fmt, *_sheets_table(queries.sheet_summaries(listed)), name="marksheets")
    page = Paginator(listed, SHEETS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tracking/marksheet_list.html",
        {
            "sheets": queries.sheet_summaries(page.object_list),
            "page_obj": page,
            "whole_school": whole_school,
            "show_all": show_all,
            "include_closed": include_closed,
            "is_data_manager": permissions.is_data_manager(user),
        },
    )


def _context(request, sheet, **extra):
    school = sheet.group.school
    return {
        "sheet": sheet,
        "group": sheet.group,
        "point": sheet.point,
        "school": school,
        "rows": sheet.rows,
        "fields": [(name, windows.LABELS[name]) for name in sheet.fields],
        "allowed_grades": ", ".join(sheet.lookup.allowed),
        "end_year": standing.end_year(sheet.group.year_group.number),
        "unverified_changes": sum(1 for e in sheet.entries.values() if e.changed_since_verified),
        "can_verify": permissions.can_verify_sheet(request.user, sheet.group),
        "is_data_manager": permissions.is_data_manager(request.user),
        "sheet_config": {
            "draftKey": f"uplift:marksheet:{request.user.pk}:{sheet.group.pk}:{sheet.point.pk}",
            "clearDraft": request.GET.get("saved") == "1",
        },
        **extra,
    }


def _opened_at(request):
    """When the teacher opened the sheet (posted back by the form), to count what autosave stored since."""
    try:
        opened = datetime.fromisoformat(request.POST.get("opened_at", ""))
    except ValueError:
        return None
    return opened if timezone.is_aware(opened) else None


def _autosaved(request, sheet, opened):
    """pupil -> fields this user's autosave stored on this sheet since it was opened."""
    if opened is None or not sheet.entries:
        return {}
    ids = [entry.pk for entry in sheet.entries.values()]
    found = grade_values_changed(entry_ids=ids, by=request.user, via="marksheet-autosave", since=opened)
    by_pupil = {}
    for pupil_id, name in found:
        by_pupil.setdefault(pupil_id, set()).add(name)
    return by_pupil


@login_required
@require_http_methods(["GET", "POST"])
def marksheet(request, group_id, point_id):
    group, point = _sheet_or_404(request.user, group_id, point_id)
    sheet = queries.load_sheet(group, point, user=request.user)
    if request.method == "GET":
        queries.build_rows(sheet)
        return render(request, "tracking/marksheet.html", _context(request, sheet, opened_at=timezone.now()))
    opened = _opened_at(request)
    rows = forms.rows_from_post(request.POST, sheet)
    try:
        result = services.marksheet_save(sheet=sheet, rows=rows, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        queries.build_rows(sheet, typed=rows)
        context = _context(request, sheet, opened_at=opened)
        busy = error.code == "database-busy"
        response = render(request, "tracking/marksheet.html", context, status=503 if busy else 409)
        if busy:
            response["Retry-After"] = "5"
        return response
    earlier = _autosaved(request, sheet, opened)
    if result.ok:
        now = result.cells_changed
        before = sum(len(fields - result.saved.get(pupil, set())) for pupil, fields in earlier.items())
        messages.success(request, outcomes.saved(now=now, earlier=before))
        return redirect(reverse("marksheet", args=[group.pk, point.pk]) + "?saved=1")
    if result.conflicts:
        # Show the other editor's values as they are now; the typed ones stay in the inputs.
        sheet = queries.load_sheet(group, point, user=request.user)
    queries.build_rows(sheet, typed=rows, errors=result.errors, conflicts=result.conflicts, saved=earlier)
    summary = outcomes.not_saved(
        errors=sum(len(cells) for cells in result.errors.values()),
        conflicts=sum(len(cells) for cells in result.conflicts.values()),
        pending=sum(row.pending for row in sheet.rows),
        earlier=sum(len(fields) for fields in earlier.values()),
    )
    context = _context(request, sheet, errors=result.errors, conflicts=result.conflicts, not_saved=summary)
    context["opened_at"] = opened
    return render(request, "tracking/marksheet.html", context, status=422 if result.errors else 409)


@htmx_login_required
@require_http_methods(["GET", "POST"])
def marksheet_row(request, group_id, point_id, pupil_id):
    """One row: GET renders it, POST saves it (the htmx autosave). The full-sheet save stays atomic."""
    group, point = _sheet_or_404(request.user, group_id, point_id)
    sheet = queries.load_sheet(group, point, user=request.user, only_pupil=pupil_id)
    permissions.require(sheet.pupils)
    saved, errors, conflicts, rows, status = {}, {}, {}, None, 200
    if request.method == "POST":
        rows = forms.rows_from_post(request.POST, sheet)
        try:
            result = services.marksheet_save(
                sheet=sheet, rows=rows, by=request.user, via="marksheet-autosave"
            )
        except DomainError as error:
            # The row is not swapped: what was typed stays in it, and the page shows the message.
            return HttpResponse(error.message, status=503 if error.code == "database-busy" else 409)
        if result.conflicts:
            sheet = queries.load_sheet(group, point, user=request.user, only_pupil=pupil_id)
        if result.ok:
            saved, rows = result.saved, None
        else:
            errors, conflicts = result.errors, result.conflicts
            status = 422 if errors else 409
    queries.build_rows(sheet, typed=rows, errors=errors, conflicts=conflicts, saved=saved)
    context = _context(request, sheet)
    context["row"] = sheet.rows[0]
    context["row_saved"] = request.method == "POST" and status == 200
    response = render(request, "tracking/_marksheet_row.html", context, status=status)
    if status != 200:
        # htmx swaps error responses only when told to: the row carries its own messages.
        response["HX-Reswap"] = "outerHTML"
    return response


@htmx_login_required
def marksheet_light(request, group_id, point_id, pupil_id):
    """The traffic light for what is typed in one row, before it is saved.

    The page asks here as the teacher types rather than working the light out in JavaScript, so the
    live light is tracking.standing's answer, the same as every other page's. Nothing is saved.
    """
    permissions.require(request.method == "GET")
    group, point = _sheet_or_404(request.user, group_id, point_id)
    sheet = queries.load_sheet(group, point, user=request.user, only_pupil=pupil_id)
    permissions.require(sheet.pupils)
    queries.build_rows(sheet, typed=forms.rows_from_post(request.GET, sheet))
    context = {"row": sheet.rows[0], "school": group.school}
    response = render(request, "tracking/_marksheet_light.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _reopen_page(request, *, point, group):
    permissions.require(permissions.is_data_manager(request.user))
    form = forms.ReopenForm(request.POST or None, initial={"until": timezone.localdate() + timedelta(days=7)})
    if request.method == "POST" and form.is_valid():
        try:
            if group is not None:
                services.sheet_reopen(point=point, group=group, by=request.user, **form.cleaned_data)
            else:
                services.point_reopen(point=point, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            until = form.cleaned_data["until"]
            what = f"{group.name} at {point.name}" if group else f"every sheet at {point.name}"
            messages.success(request, f"Reopened {what} until {until:%-d %B %Y}.")
            if group is not None:
                return redirect("marksheet", group.pk, point.pk)
            return redirect("marksheet_list")
    reopens = (
        point.reopens.select_related("teaching_group", "by").filter(teaching_group=group)
        if group
        else point.reopens.select_related("teaching_group", "by")
    )
    if fmt := exports.requested(request):
        headers = ["Sheet", "Until", "Reason", "By", "When"]
        rows = [
            [
                str(r.teaching_group or "All groups"),
                r.until,
                r.reason,
                r.by.display_name if r.by else "",
                r.at,
            ]
            for r in reopens
        ]
        name = f"{group.name if group else 'every sheet'} {point.name} reopens"
        return exports.download(fmt, headers, rows, name=name, sheet="Reopens")
    return render(
        request,
        "tracking/marksheet_reopen.html",
        {"form": form, "point": point, "group": group, "reopens": reopens},
    )


@login_required
@require_http_methods(["GET", "POST"])
def marksheet_reopen(request, group_id, point_id):
    group, point = _sheet_or_404(request.user, group_id, point_id)
    return _reopen_page(request, point=point, group=group)


@login_required
@require_http_methods(["GET", "POST"])
def point_reopen(request, point_id):
    permissions.require(permissions.is_data_manager(request.user))
    access = permissions.access_for(request.user)
    point = (
        AssessmentPoint.objects.filter(school_id__in=access.school_ids, pk=point_id)
        .select_related("year_group", "academic_year")
        .first()
    )
    permissions.require(point is not None)
    return _reopen_page(request, point=point, group=None)


@login_required
@require_http_methods(["GET", "POST"])
def marksheet_verify(request, group_id, point_id):
    """Verify a sheet again after it was reopened: what changed since verification reaches families."""
    group, point = _sheet_or_404(request.user, group_id, point_id)
    permissions.require(permissions.can_verify_sheet(request.user, group))
    if request.method == "POST":
        try:
            count = verification.sheet_verify(point=point, group=group, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"Verified {group.name} at {point.name}: "
                + (
                    f"{count} change{'s' if count != 1 else ''} now reach families."
                    if count
                    else "nothing had changed."
                ),
            )
            return redirect("marksheet", group.pk, point.pk)
    fields = ("current", "predicted", "security", "effort")
    changes = []
    for entry in verification.sheet_changes_since_verified(point, group):
        before, after = verification.codes(entry, verified=True), verification.codes(entry)
        changes.append({"pupil": entry.pupil, "cells": [(before[name], after[name]) for name in fields]})
    if fmt := exports.requested(request):
        headers = ["Pupil", "UPN"] + [
            f"{n.capitalize()}: {w}" for n in fields for w in ("families see", "now")
        ]
        rows = [
            [c["pupil"].sorted_name, c["pupil"].upn, *(code for cell in c["cells"] for code in cell)]
            for c in changes
        ]
        name = f"{group.name} {point.name} changes since verification"
        return exports.download(fmt, headers, rows, name=name, sheet="Changes")
    return render(
        request,
        "tracking/marksheet_verify.html",
        {
            "group": group,
            "point": point,
            "changes": changes,
            "fields": fields,
        },
    )
