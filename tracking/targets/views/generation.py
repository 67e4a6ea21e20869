"""Setting targets: generating a year's targets from flight paths or FFT estimates, and the flight
paths themselves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tracking import permissions
from tracking.lib import exports
from tracking.lib.errors import DomainError
from tracking.mis.uploads import UploadRejected
from tracking.models import FlightPath, FlightPathRow, GradeValue, Subject
from tracking.targets import generation
from tracking.targets.fft import fft_parse
from tracking.targets.flightpaths import (
    flightpaths_csv,
    flightpaths_import,
    flightpaths_install_defaults,
    flightpaths_table,
)
from tracking.targets.forms import FlightPathUploadForm, GenerateForm
from tracking.targets.views.overview import user_school

FFT_SESSION_KEY = "targets_fft_upload"


@login_required
def target_generate(request):
    user = request.user
    permissions.require(permissions.can_generate_targets(user))
    school = user_school(user)
    form = GenerateForm(request.POST or None, request.FILES or None, school=school)
    preview = errors = None
    stored = request.session.get(FFT_SESSION_KEY)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year_group"]
        source = form.cleaned_data["source"]
        label = form.cleaned_data["fft_label"] or "FFT20"
        estimates = None
        if source == "fft":
            upload = form.cleaned_data["fft_file"]
            if upload is not None:
                try:
                    estimates = fft_parse(school=school, year_group=year, upload=upload)
                except UploadRejected as exc:
                    errors = exc.errors
                    request.session.pop(FFT_SESSION_KEY, None)
                    stored = None
                else:
                    stored = {
                        "year": year.pk,
                        "name": upload.name,
                        "rows": [[p, s, g.pk] for (p, s), g in estimates.items()],
                    }
                    request.session[FFT_SESSION_KEY] = stored
            elif stored and stored["year"] == year.pk:
                grades = GradeValue.objects.in_bulk({g for _, _, g in stored["rows"]})
                estimates = {(p, s): grades[g] for p, s, g in stored["rows"]}
            else:
                form.add_error("fft_file", "Choose the FFT estimates file for this year group.")
        if not errors and form.is_valid() and (source == "flightpath" or estimates):
            detail = f"{label} estimate" if source == "fft" else ""
            try:
                if request.POST.get("confirm") == "1":
                    result = generation.target_generate(
                        school=school,
                        year_group=year,
                        source=source,
                        estimates=estimates,
                        detail=detail,
                        by=user,
                    )
                    request.session.pop(FFT_SESSION_KEY, None)
                    messages.success(
                        request,
                        f"{year}: {result.created} targets created, {result.updated} updated, "
                        f"{result.kept} already agreed or published kept. SLT can now agree them.",
                    )
                    return redirect(f"{reverse('target_overview')}?year={year.number}&status=proposed")
                preview = generation.target_generate(
                    school=school,
                    year_group=year,
                    source=source,
                    estimates=estimates,
                    detail=detail,
                    by=user,
                    dry_run=True,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
    return render(
        request,
        "tracking/targets/generate.html",
        {"form": form, "preview": preview, "errors": errors, "stored": stored},
    )


# -- flight paths ------------------------------------------------------------------------------
@login_required
def flight_paths(request):
    user = request.user
    permissions.require(permissions.can_generate_targets(user))
    school = user_school(user)
    form = FlightPathUploadForm()
    errors = None
    if request.method == "POST":
        if request.POST.get("action") == "defaults":
            n = flightpaths_install_defaults(school=school, by=user)
            messages.success(request, f"Default flight paths added for {n} subject{'' if n == 1 else 's'}.")
            return redirect("flight_paths")
        form = FlightPathUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                n = flightpaths_import(school=school, upload=form.cleaned_data["file"], by=user)
            except UploadRejected as exc:
                errors = exc.errors
            else:
                messages.success(request, f"Flight paths updated: {n} rows saved.")
                return redirect("flight_paths")
    if fmt := exports.requested(request):
        headers, rows = flightpaths_table(school)
        return exports.download(fmt, headers, rows, name="flight paths", sheet="Flight paths")
    paths = list(FlightPath.objects.filter(school=school).select_related("subject"))
    rows = {}
    for row in FlightPathRow.objects.filter(flight_path__school=school).select_related("grade"):
        rows.setdefault(row.flight_path_id, []).append(row)
    bands = sorted({r.ks2_from for rs in rows.values() for r in rs})
    table = []
    for path in paths:
        by_band = {r.ks2_from: r.grade for r in rows.get(path.pk, [])}
        table.append((path, [by_band.get(b) for b in bands]))
    missing = Subject.objects.filter(school=school, flight_path__isnull=True).count()
    return render(
        request,
        "tracking/targets/flight_paths.html",
        {"table": table, "bands": bands, "form": form, "errors": errors, "missing": missing},
    )


@login_required
def flight_paths_csv(request):
    permissions.require(permissions.can_generate_targets(request.user))
    response = HttpResponse(
        flightpaths_csv(user_school(request.user)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="flight-paths.csv"'
    return response
