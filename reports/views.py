"""Report pages: field settings, previews, runs with live progress, downloads and the family page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from tracking import permissions
from tracking.lib import exports
from tracking.lib.errors import DomainError
from tracking.models import AssessmentPoint

from . import access, data, family, pdf, services
from .forms import LayoutForm, RunForm
from .models import Field, Kind, PupilReport, ReportComment, ReportRun, ReportStatus, RunStatus


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _pdf_response(content, filename, *, inline=False):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=not inline, filename=filename)
    return _no_store(response)


def _file_response(field, filename, content_type):
    """A stored file as an attachment. Read whole (reports are small) so no file handle outlives the view."""
    try:
        with field.open("rb") as handle:
            content = handle.read()
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing") from None
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return _no_store(response)


# -- settings: the fields each kind shows ------------------------------------------------------------


@login_required
def layout_settings(request):
    user = request.user
    permissions.require(access.can_choose_fields(user))
    school = permissions.school_for(user)
    posted_kind = request.POST.get("kind") if request.method == "POST" else None
    if posted_kind is not None and posted_kind not in Kind.values:
        raise Http404("No such kind of report")
    forms = []
    for kind in Kind:
        current = data.layout_fields(school, kind)
        bound = posted_kind == kind.value
        form = LayoutForm(request.POST if bound else None, initial={"fields": current}, prefix=kind.value)
        if bound and form.is_valid():
            try:
                services.layout_save(
                    school=school, kind=kind.value, fields=form.cleaned_data["fields"], by=user
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Saved the fields of the {kind.label.lower()}.")
                return redirect("reports:settings")
        forms.append({"kind": kind, "form": form, "labels": [Field(f).label for f in current]})
    return render(request, "reports/settings.html", {"forms": forms})


# -- a preview of one pupil's report from today's data -----------------------------------------------


def default_point(pupil):
    """The latest point of the pupil's year group this year whose window has closed (else the first)."""
    points = AssessmentPoint.objects.filter(
        year_group_id=pupil.year_group_id, academic_year__is_current=True
    ).select_related("year_group", "academic_year", "half_term")
    closed = points.filter(closes_on__lt=timezone.localdate()).order_by("-sequence").first()
    return closed or points.order_by("sequence").first()


@require_GET
@login_required
def preview(request, pupil_pk):
    user = request.user
    permissions.require(permissions.is_staff_member(user))
    pupil = permissions.get_pupil_or_404(user, pupil_pk)
    permissions.require(access.can_preview(user, pupil))
    point = default_point(pupil)
    raw_point = request.GET.get("point")
    if raw_point:
        try:
            point = AssessmentPoint.objects.select_related("year_group", "academic_year", "half_term").get(
                pk=raw_point, school_id=pupil.school_id
            )
        except (AssessmentPoint.DoesNotExist, ValueError):
            raise Http404("No such point") from None
    if point is None:
        raise Http404("No assessment point for this pupil")
    kind = request.GET.get("kind") or data.kind_for(pupil.year_group.number)
    if kind not in Kind.values:
        raise Http404("No such kind of report")
    frozen = data.build(pupil, point, kind=kind, fields=data.layout_fields(pupil.school, kind))
    content, _ = pdf.render(frozen)
    return _pdf_response(content, f"preview-{pupil.last_name}-{pupil.first_name}.pdf".lower(), inline=True)


# -- runs ------------------------------------------------------------------------------------------


@login_required
def run_list(request):
    user = request.user
    permissions.require(access.can_run_reports(user))
    school = permissions.school_for(user)
    form = RunForm(request.POST if request.method == "POST" else None, school=school)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            run = services.run_create(
                school=school,
                kind=cleaned["kind"],
                point=cleaned["point"],
                year_group=cleaned["year_group"],
                form=cleaned["form"],
                by=user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("reports:run_detail", run.pk)
    runs = access.runs_visible_to(user).select_related(
        "point", "year_group", "form", "created_by", "replaced_by"
    )
    if request.method == "GET" and (fmt := exports.requested(request)):
        headers = ["Report", "For", "Grades from", "Version", "Made", "Made by", "State", "Published"]
        rows = [
            [
                run.get_kind_display(),
                run.scope_name,
                run.point.name,
                run.version,
                run.created_at,
                run.created_by.display_name if run.created_by else "",
                _run_state(run),
                run.published_at,
            ]
            for run in runs
        ]
        return exports.download(fmt, headers, rows, name="report runs", sheet="Report runs")
    return render(request, "reports/run_list.html", {"form": form, "runs": runs[:50]})


def _run_state(run):
    if run.published_at:
        return "Published"
    return "Making" if run.status == "running" else "Ready to publish"


def _run_context(run):
    counts = services.progress(run)
    failed = (
        PupilReport.objects.filter(run=run, status=ReportStatus.FAILED)
        .select_related("pupil")
        .order_by("pupil__legal_last_name")
    )
    return {"run": run, "counts": counts, "failed": failed, "running": run.status == RunStatus.RUNNING}


def _run_reports(run):
    """Each pupil's report in a run (the page's list and its failures), without the frozen data."""
    reports = (
        PupilReport.objects.filter(run=run)
        .defer("data")
        .select_related("pupil")
        .order_by("pupil__legal_last_name", "pupil__legal_first_name")
    )
    rows = [
        [r.pupil.sorted_name, r.pupil.upn, r.get_status_display(), r.pages, r.made_at, r.error]
        for r in reports
    ]
    return ["Pupil", "UPN", "Report", "Pages", "Made at", "Problem"], rows


@login_required
def run_detail(request, pk):
    user = request.user
    run = access.get_run_or_404(user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        actions = {
            "publish": lambda: services.run_publish(run=run, by=user),
            "retry": lambda: services.run_retry_failed(run=run, by=user),
            "regenerate": lambda: services.run_regenerate(run=run, by=user),
        }
        if action not in actions:
            raise Http404("No such action")
        try:
            result = actions[action]()
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("reports:run_detail", run.pk)
        if action == "regenerate":
            messages.success(
                request,
                f"Making version {result.version}: families keep version {run.version} until you publish it.",
            )
            return redirect("reports:run_detail", result.pk)
        messages.success(
            request,
            "Published: families are being told by email."
            if action == "publish"
            else f"Making {result} again.",
        )
        return redirect("reports:run_detail", run.pk)
    if fmt := exports.requested(request):
        headers, rows = _run_reports(run)
        return exports.download(
            fmt, headers, rows, name=f"{run.get_kind_display()} {run.scope_name}", sheet="Reports"
        )
    context = _run_context(run)
    context["reports"] = (
        PupilReport.objects.filter(run=run, status=ReportStatus.DONE)
        .select_related("pupil")
        .order_by("pupil__legal_last_name", "pupil__legal_first_name")
    )
    context["newer"] = ReportRun.objects.filter(replaces=run).first()
    return render(request, "reports/run_detail.html", context)


@require_GET
@login_required
def run_progress(request, pk):
    """The progress bar, polled by htmx while the run is making its reports."""
    run = access.get_run_or_404(request.user, pk)
    response = render(request, "reports/_run_progress.html", _run_context(run))
    if run.status == RunStatus.DONE and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # the finished page shows the downloads and the publish button
    return _no_store(response)


@require_GET
@login_required
def run_zip(request, pk):
    run = access.get_run_or_404(request.user, pk)
    permissions.require(run.status == RunStatus.DONE and bool(run.zip_file))
    return _file_response(run.zip_file, f"reports-{services._slug(run)}.zip", "application/zip")


@require_GET
@login_required
def run_print(request, pk):
    run = access.get_run_or_404(request.user, pk)
    permissions.require(run.status == RunStatus.DONE and bool(run.print_file))
    return _file_response(run.print_file, f"print-{services._slug(run)}.pdf", "application/pdf")


@require_GET
@login_required
def report_download(request, pk):
    """A stored report: the family's own child's (published) or a staff member's preview; audited."""
    report = access.get_report_or_404(request.user, pk)
    services.report_downloaded(report=report, by=request.user)
    return _file_response(report.pdf, report.file_name, "application/pdf")


# -- the family's page for each child ----------------------------------------------------------------


@require_GET
@login_required
def family_child(request, pupil_pk):
    """A parent's page for one of their children (anyone else's id is a 404); staff who may see the
    pupil see exactly what the family sees."""
    user = request.user
    pupil = access.get_family_child_or_404(user, pupil_pk)
    published = access.reports_visible_to(user).filter(run__published_at__isnull=False)
    context = family.page(pupil, published)
    context["is_staff"] = permissions.is_staff_member(user)
    return _no_store(render(request, "reports/family_child.html", context))


# -- tutors' and mentors' comments --------------------------------------------------------------------


@login_required
def comments(request):
    """A form tutor writes a comment for each pupil in their form; a mentor for each mentee. The comment
    goes on the report made from the grades at the point shown (the latest closed point)."""
    user = request.user
    permissions.require(access.can_write_comments(user))
    roles = access.comment_roles(user)
    role = request.GET.get("role") or (roles[0] if roles else ReportComment.Role.TUTOR)
    permissions.require(role in ReportComment.Role.values)
    pupils = list(
        access.comment_pupils(user, role)
        .select_related("year_group", "form")
        .order_by("year_group__number", "legal_last_name", "legal_first_name")
    )
    points = {}
    for pupil in pupils:
        if pupil.year_group_id not in points:
            points[pupil.year_group_id] = default_point(pupil)
    existing = {
        (c.pupil_id, c.point_id): c.text
        for c in ReportComment.objects.filter(
            pupil__in=pupils, role=role, point__in=[p for p in points.values() if p]
        )
    }
    rows, errors = [], []
    for pupil in pupils:
        point = points.get(pupil.year_group_id)
        text = existing.get((pupil.pk, point.pk if point else None), "")
        if request.method == "POST":
            text = request.POST.get(f"c-{pupil.pk}", "")
            if len(text) > 1200:
                errors.append(f"{pupil.full_name}: keep the comment under 1,200 characters.")
        rows.append({"pupil": pupil, "point": point, "text": text})
    if request.method == "POST" and not errors:
        with transaction.atomic():
            saved = 0
            for row in rows:
                before = existing.get((row["pupil"].pk, row["point"].pk if row["point"] else None), "")
                if row["point"] is None or row["text"].strip() == before.strip():
                    continue
                services.comment_save(
                    pupil=row["pupil"], point=row["point"], role=role, text=row["text"], by=user
                )
                saved += 1
        messages.success(request, f"Saved {saved} comment{'' if saved == 1 else 's'}.")
        return redirect(f"{request.path}?role={role}")
    return render(
        request,
        "reports/comments.html",
        {
            "rows": rows,
            "role": role,
            "roles": [(r, ReportComment.Role(r).label) for r in roles],
            "errors": errors,
        },
    )
