"""Requests to reopen a verified marksheet: the teacher or head of department asks with a reason, the
data manager reopens it (until a date) or declines with a note, and the requester sees which."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tracking import permissions
from tracking.lib import exports
from tracking.lib.errors import DomainError
from tracking.marksheets import forms, services
from tracking.marksheets.views import _sheet_or_404
from tracking.models import ReopenRequestStatus

DECIDED_SHOWN = 50


def _listed(requests):
    return requests.select_related(
        "point", "teaching_group__subject", "requested_by", "decided_by", "reopen"
    ).order_by("-requested_at", "-pk")


@login_required
@require_http_methods(["GET", "POST"])
def reopen_request(request, group_id, point_id):
    """Ask for one sheet to be reopened; the sheet's earlier requests and their outcomes below."""
    group, point = _sheet_or_404(request.user, group_id, point_id)
    form = forms.ReopenRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_request_create(point=point, group=group, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Asked the data manager to reopen {group.name} at {point.name}.")
            return redirect("reopen_requests")
    earlier = _listed(
        permissions.reopen_requests_visible_to(request.user).filter(point=point, teaching_group=group)
    )
    return render(
        request,
        "tracking/marksheet_reopen_request.html",
        {"form": form, "group": group, "point": point, "earlier": earlier},
    )


@login_required
def reopen_requests(request):
    """The data manager's queue (approve or decline each), or a teacher's own requests and outcomes."""
    user = request.user
    permissions.require(permissions.can_see_reopen_requests(user))
    visible = permissions.reopen_requests_visible_to(user)
    deciding = permissions.is_data_manager(user)
    if fmt := exports.requested(request):
        headers, rows = _requests_table(_listed(visible), deciding)
        return exports.download(fmt, headers, rows, name="reopen requests", sheet="Requests")
    waiting = list(_listed(visible.filter(status=ReopenRequestStatus.PENDING)))
    decided = list(_listed(visible.exclude(status=ReopenRequestStatus.PENDING))[:DECIDED_SHOWN])
    until = timezone.localdate() + timedelta(days=7)
    return render(
        request,
        "tracking/reopen_requests.html",
        {"waiting": waiting, "decided": decided, "deciding": deciding, "until": until},
    )


def _requests_table(requests, deciding):
    """Every request the user may see, waiting and decided (the page shows the latest decided)."""
    headers = [
        "Group",
        "Point",
        "Reason",
        "Asked at",
        "Outcome",
        "Reopened until",
        "Note",
        "Decided at",
        "Decided by",
    ]
    if deciding:
        headers.insert(3, "Asked by")
    rows = []
    for r in requests:
        row = [
            r.teaching_group.name, r.point.name, r.reason, r.requested_at, r.get_status_display(),
            r.reopen.until if r.reopen else "", r.note, r.decided_at or "",
            r.decided_by.display_name if r.decided_by else "",
        ]  # fmt: skip
        if deciding:
            row.insert(3, r.requested_by.display_name if r.requested_by else "")
        rows.append(row)
    return headers, rows


@login_required
def reopen_request_decide(request, pk):
    """POST only: the data manager reopens the sheet until a date, or declines with a note."""
    user = request.user
    permissions.require(permissions.is_data_manager(user))
    permissions.require(request.method == "POST")
    found = permissions.reopen_requests_visible_to(user).filter(pk=pk).first()
    permissions.require(found is not None)
    form = forms.ReopenDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to reopen the sheet or decline the request.")
        return redirect("reopen_requests")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.reopen_request_decide(
            request=found, approve=approve, by=user, until=form.cleaned_data["until"],
            note=form.cleaned_data["note"],
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, f"{found.teaching_group} at {found.point}: {error.message}")
    else:
        what = f"{found.teaching_group} at {found.point}"
        if approve:
            until = form.cleaned_data["until"]
            messages.success(request, f"Reopened {what} until {until:%-d %B %Y}.")
        else:
            messages.success(request, f"Declined the request to reopen {what}.")
    return redirect("reopen_requests")
