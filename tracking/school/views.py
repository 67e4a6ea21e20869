from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from tracking import permissions, standing
from tracking.lib import exports
from tracking.lib.sparkline import sparkline
from tracking.marksheets.queries import sheets_for
from tracking.models import TeachingGroup
from tracking.school import queries, theme
from tracking.school.filters import PupilFilter, TeachingGroupFilter
from tracking.school.home import panels_for
from tracking.school.tables import PupilTable, TeachingGroupTable, pupil_flags_html
from tracking.targets.queries import curricular_targets_for, pupil_targets


@require_GET
@never_cache
def healthz(request):
    """200 when the database answers; used by load balancers, so no login."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    return render(request, "tracking/home.html", {"panels": panels_for(request.user)})


@login_required
def school_theme_css(request):
    """The school's chosen colours for progress labels, as CSS custom properties (no inline styles)."""
    response = HttpResponse(theme.css_for(permissions.school_for(request.user)), content_type="text/css")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _staff_only(user):
    permissions.require(permissions.is_staff_member(user))


@login_required
def pupil_list(request):
    _staff_only(request.user)
    access = permissions.access_for(request.user)
    pupils = queries.pupil_list(permissions.pupils_visible_to(request.user))
    pupil_filter = PupilFilter(
        request.GET,
        queryset=pupils,
        school_ids=access.school_ids,
        forms=permissions.forms_visible_to(request.user),
    )
    table = PupilTable(pupil_filter.qs)
    if fmt := exports.requested(request):
        return exports.table_download(request, table, fmt, name="pupils")
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "tracking/pupil_list.html", {"filter": pupil_filter, "table": table})


@login_required
def pupil_detail(request, pk):
    user = request.user
    pupil = permissions.get_pupil_or_404(user, pk)
    is_staff = permissions.is_staff_member(user)
    family = not is_staff
    # Families see verified data only: verified grades and published targets. Staff see the targets the
    # policy shows them (a head of year: published ones only). The targets section and the grade
    # history judge against the same targets, read once.
    visible = permissions.targets_visible_to(user) if is_staff else None
    # One standing book for both: the targets take their grades from it, and the history judges by it.
    book = standing.Book(pupil.school, family=family)
    targets = pupil_targets(pupil, family=family, visible=visible, book=book)
    points, rows = queries.pupil_history(
        pupil,
        family=family,
        targets={row["target"].subject_id: row["target"] for row in targets["rows"]},
        book=book,
    )
    for row in rows:
        row["sparkline"] = _sparkline(row)
    context = {
        "pupil": pupil,
        "flags": pupil_flags_html(pupil),
        "points": points,
        "rows": rows,
        "is_staff": is_staff,
        "school": pupil.school,
        "end_year": standing.end_year(pupil.year_group.number),
        "can_see_audit": permissions.can_see_audit_history(user),
        "can_export_subject_access": permissions.can_export_subject_access(user),
        "guardians": pupil.guardians.select_related("user") if is_staff else [],
        # Names and subjects only: the page lists no teachers. Only groups this user may open are links
        # (a mentor sees the pupil, not every class list).
        "groups": pupil.teaching_groups.select_related("subject").annotate(
            openable=Exists(permissions.groups_visible_to(user).filter(pk=OuterRef("pk")))
        )
        if is_staff
        else [],
    }
    context.update(
        {
            "target_rows": targets["rows"],
            "target_points": targets["points"],
            "curricular_targets": curricular_targets_for(pupil, family=family),
            "can_add_curricular": is_staff and permissions.can_write_curricular_target(user, pupil=pupil),
        }
    )
    return render(request, "tracking/pupil_detail.html", context)


def _sparkline(row):
    target = row["target_grade"]
    values = [result.grade.points if result.grade else None for _, _, result in row["history"]]
    label = f"{row['subject']}: grade at each point" + (f" against a target of {target}" if target else "")
    return sparkline(values, target.points if target else None, label=label)


@login_required
def group_list(request):
    _staff_only(request.user)
    access = permissions.access_for(request.user)
    groups = queries.groups_with_counts(
        permissions.groups_visible_to(request.user).filter(academic_year__is_current=True)
    )
    group_filter = TeachingGroupFilter(
        request.GET,
        queryset=groups,
        subjects=permissions.subjects_visible_to(request.user),
        school_ids=access.school_ids,
    )
    table = TeachingGroupTable(group_filter.qs)
    if fmt := exports.requested(request):
        return exports.table_download(request, table, fmt, name="teaching groups")
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "tracking/group_list.html", {"filter": group_filter, "table": table})


@login_required
def group_detail(request, pk):
    _staff_only(request.user)
    group = permissions.get_group_or_404(request.user, pk)
    if fmt := exports.requested(request):
        headers, rows = queries.group_standings_export(group, queries.group_standings(group))
        return exports.download(fmt, headers, rows, name=group.name, sheet=group.name)
    group_only = TeachingGroup.objects.filter(pk=group.pk)
    sheets = sheets_for(group_only, open_only=False) if group.academic_year.is_current else []
    return render(
        request,
        "tracking/group_detail.html",
        {
            "group": group,
            "rows": queries.group_standings(group),
            "sheets": sheets,
            "may_open_sheets": permissions.may_open_sheet(request.user, group),
            "teachers": group.teachers.select_related("user"),
            "can_edit": permissions.can_edit_group(request.user, group),
        },
    )
