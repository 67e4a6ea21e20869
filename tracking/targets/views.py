"""Target pages: approval, per-target history and actions, change requests, raises, generation,
flight paths and curricular targets. Thin: permissions decide, tracking.targets does the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from tracking import permissions
from tracking.lib import exports
from tracking.lib.errors import DomainError
from tracking.mis.uploads import UploadRejected
from tracking.models import (
    AssessmentPoint,
    FlightPath,
    FlightPathRow,
    GradeValue,
    Pupil,
    RaiseStatus,
    Subject,
    TargetRaiseProposal,
    TargetStatus,
    YearGroup,
)
from tracking.targets import generation, queries, services
from tracking.targets.fft import fft_parse
from tracking.targets.flightpaths import (
    flightpaths_csv,
    flightpaths_import,
    flightpaths_install_defaults,
    flightpaths_table,
)
from tracking.targets.forms import (
    CurricularTargetForm,
    DecideForm,
    FlightPathUploadForm,
    GenerateForm,
    ProposeForm,
    RequestChangeForm,
    TargetFilterForm,
)

FFT_SESSION_KEY = "targets_fft_upload"


def _school(user):
    school = permissions.school_for(user)
    permissions.require(school is not None)
    return school


# -- approval screen ---------------------------------------------------------------------------
@login_required
def target_overview(request):
    user = request.user
    permissions.require(permissions.is_staff_member(user))
    school = _school(user)
    # Year groups with a pupil on roll: EXISTS stops at each year's first pupil (a join read every pupil
    # of the school and then made the years distinct).
    on_roll = Pupil.objects.filter(year_group=OuterRef("pk"), is_active=True)
    years = list(YearGroup.objects.filter(Exists(on_roll), school=school))
    chosen = next((y for y in years if str(y.number) == request.GET.get("year", "")), None)
    visible = permissions.targets_visible_to(user).filter(school=school)
    if chosen is None and years:
        chosen = years[-1] if not request.GET.get("year") else None
        if chosen is None:
            raise Http404("No such year")
    year_targets = visible.filter(pupil__year_group=chosen)
    can_agree = permissions.can_agree_targets(user)

    if request.method == "POST":
        permissions.require(can_agree)
        action = request.POST.get("action")
        from_status = {"agree": TargetStatus.PROPOSED, "publish": TargetStatus.AGREED}.get(action)
        permissions.require(from_status is not None)
        pending = list(year_targets.filter(status=from_status).only("pk"))
        expected = request.POST.get("expected", "")
        if expected != str(len(pending)):
            messages.error(
                request,
                f"The number of targets changed while you were looking ({expected} shown, "
                f"{len(pending)} now). "
                "Check the list and confirm again.",
            )
        elif action == "agree":
            n = services.target_agree(targets=pending, by=user)
            messages.success(request, f"Agreed {n} targets for {chosen}.")
        else:
            n = services.target_publish(targets=pending, by=user)
            messages.success(request, f"Published {n} targets for {chosen}: families can now see them.")
        return redirect(f"{reverse('target_overview')}?year={chosen.number}")

    # The subjects that have a target (the grid's columns) come from a subquery, not a join with
    # DISTINCT: the join put every target of the year through a sort. Counting by subject and status
    # in one grouped read looks cheaper but SQLite then walks every target of the school in the
    # (subject, status) index's order, testing the visibility of each: 80 -> 135 ms for a teacher.
    subjects_in_year = list(
        Subject.objects.filter(school=school, pk__in=year_targets.values("subject_id")).order_by("name")
    )
    filter_form = TargetFilterForm(request.GET or None, subjects=subjects_in_year)
    subject_id = status = None
    if filter_form.is_valid():
        subject_id = filter_form.cleaned_data["subject"] or None
        status = filter_form.cleaned_data["status"] or None
    pupils = permissions.pupils_visible_to(user).filter(year_group=chosen)
    if fmt := exports.requested(request):
        subjects, rows, _ = queries.approval_grid(
            year_targets,
            pupils,
            subject_id=subject_id,
            status=status,
            per_page=None,
            subjects=subjects_in_year,
        )
        name = f"targets {chosen}" if chosen else "targets"
        return exports.download(
            fmt, *queries.approval_grid_export(subjects, rows), name=name, sheet="Targets"
        )
    subjects, rows, page = queries.approval_grid(
        year_targets,
        pupils,
        subject_id=subject_id,
        status=status,
        page=request.GET.get("page"),
        subjects=subjects_in_year,
    )
    # The same targets, the year's pupils named by a subquery: PostgreSQL then finds their targets by
    # the pupil index rather than reading every target in the school (25 -> 10 ms for a teacher).
    all_counts = queries.status_counts(
        visible.filter(pupil__in=Pupil.objects.filter(year_group=chosen).values("pk"))
    )
    # Thousands of cells: one prefix instead of a reverse() per cell.
    detail_prefix = reverse("target_detail", args=[0, 0]).split("/0/")[0] + "/"
    return render(
        request,
        "tracking/targets/overview.html",
        {
            "years": years,
            "year": chosen,
            "filter_form": filter_form,
            "subjects": subjects,
            "rows": [(pupil, _target_cells(pupil, cells, detail_prefix)) for pupil, cells in rows],
            "page_obj": page,
            "n_proposed": all_counts.get(TargetStatus.PROPOSED, 0),
            "n_agreed": all_counts.get(TargetStatus.AGREED, 0),
            "n_published": all_counts.get(TargetStatus.PUBLISHED, 0),
            "n_requested": all_counts.get(TargetStatus.CHANGE_REQUESTED, 0),
            "can_agree": can_agree,
            "can_generate": permissions.can_generate_targets(user),
            "can_review": permissions.can_review_raises(user) or permissions.is_verification_team(user),
        },
    )


def _target_cells(pupil, cells, detail_prefix):
    """A row's subject cells of the approval grid, as the template would write them: fifty pupils by a
    dozen subjects are some 600 cells, and the template engine's lookups and filters cost more than the
    page's queries."""
    html = []
    for t in cells:
        if t is None:
            html.append("<td></td>")
            continue
        html.append(
            format_html(
                '<td><a href="{}{}/subject/{}/" class="target-cell target-{}" title="{}"><strong>{}</strong> '
                '<span class="target-src">{}</span> <span class="target-st">{}</span></a></td>',
                detail_prefix,
                pupil.pk,
                t.subject_id,
                t.status,
                t.source_detail,
                t.grade,
                t.source[:2].upper(),
                t.status_label,
            )
        )
    return mark_safe("".join(html))


# -- one pupil, one subject --------------------------------------------------------------------
@login_required
def target_detail(request, pupil_pk, subject_pk):
    user = request.user
    permissions.require(permissions.is_staff_member(user))
    pupil = permissions.get_pupil_or_404(user, pupil_pk)
    subject = get_object_or_404(
        Subject.objects.select_related("scale", "department"), pk=subject_pk, school=pupil.school
    )
    # The policy decides which targets this user may see (a head of year: published ones only).
    target = (
        permissions.targets_visible_to(user)
        .filter(pupil=pupil, subject=subject)
        .select_related("grade", "published_grade", "requested_grade", "requested_by")
        .first()
    )
    may = {
        "propose": permissions.can_propose_target(user, pupil, subject)
        and (target is None or target.status == TargetStatus.PROPOSED),
        "agree": permissions.can_agree_targets(user) and target is not None,
        "request": permissions.can_request_target_change(user, subject)
        and target is not None
        and target.status == TargetStatus.PUBLISHED,
        "decide": permissions.is_verification_team(user)
        and target is not None
        and target.status == TargetStatus.CHANGE_REQUESTED,
    }
    forms = {
        "propose": ProposeForm(subject=subject, prefix="propose"),
        "request": RequestChangeForm(subject=subject, prefix="request"),
        "decide": DecideForm(
            subject=subject,
            prefix="decide",
            initial={"grade": target.requested_grade_id if target else None},
        ),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        permissions.require(may.get(action) or (action == "publish" and may["agree"]))
        try:
            if action == "propose":
                form = forms["propose"] = ProposeForm(request.POST, subject=subject, prefix="propose")
                if form.is_valid():
                    services.target_propose(
                        pupil=pupil,
                        subject=subject,
                        grade=form.cleaned_data["grade"],
                        reason=form.cleaned_data["reason"],
                        by=user,
                    )
                    messages.success(request, "Target proposed: SLT will agree it.")
                    return redirect(request.path)
            elif action == "agree":
                n = services.target_agree(targets=[target], by=user)
                messages.success(request, "Target agreed." if n else "Nothing to agree.")
                return redirect(request.path)
            elif action == "publish":
                n = services.target_publish(targets=[target], by=user)
                messages.success(
                    request, "Target published." if n else "Only an agreed target can be published."
                )
                return redirect(request.path)
            elif action == "request":
                form = forms["request"] = RequestChangeForm(request.POST, subject=subject, prefix="request")
                if form.is_valid():
                    services.target_request_change(
                        target=target,
                        grade=form.cleaned_data["grade"],
                        reason=form.cleaned_data["reason"],
                        by=user,
                    )
                    messages.success(request, "Change requested: the Data Verification Team will decide.")
                    return redirect(request.path)
            elif action == "decide":
                form = forms["decide"] = DecideForm(request.POST, subject=subject, prefix="decide")
                if form.is_valid():
                    approve = form.cleaned_data["decision"] == "approve"
                    services.target_decide_change(
                        target=target,
                        approve=approve,
                        grade=form.cleaned_data["grade"],
                        reason=form.cleaned_data["reason"],
                        by=user,
                    )
                    messages.success(request, "Change approved." if approve else "Change rejected.")
                    nxt = request.POST.get("next")
                    return redirect(nxt if nxt == reverse("target_changes") else request.path)
        except DomainError as exc:
            form = forms.get(action)
            if form is not None and form.is_bound:
                form.add_error(None, exc.message)
            else:
                messages.error(request, exc.message)
    if fmt := exports.requested(request):
        headers, rows = _history_table(queries.target_history(target) if target else [])
        return exports.download(
            fmt, headers, rows, name=f"{subject} target {pupil.full_name}", sheet="History"
        )
    path_rows = []
    if target is not None and pupil.year_group.number <= 9:
        path_rows = queries.pupil_targets(pupil, family=False, visible=permissions.targets_visible_to(user))[
            "rows"
        ]
        path_rows = next((r["path"] for r in path_rows if r["subject"].pk == subject.pk), [])
    return render(
        request,
        "tracking/targets/detail.html",
        {
            "pupil": pupil,
            "subject": subject,
            "target": target,
            "may": may,
            "forms": forms,
            "path": path_rows,
            "history": queries.target_history(target) if target else [],
            "raises": target.raise_proposals.select_related("point", "proposed_grade", "achieved")
            if target
            else [],
        },
    )


# -- queues ------------------------------------------------------------------------------------
@login_required
def target_changes(request):
    user = request.user
    permissions.require(permissions.can_see_target_changes(user))
    dvt = permissions.is_verification_team(user)
    school = _school(user)
    qs = permissions.target_changes_visible_to(user).filter(school=school)
    requests_ = list(
        qs.select_related(
            "pupil__year_group",
            "subject__scale",
            "grade",
            "published_grade",
            "requested_grade",
            "requested_by",
        ).order_by("requested_at")
    )
    # One read of each scale's grades for the whole queue, not one per request's form.
    grades = {}
    if dvt:
        for value in GradeValue.objects.filter(scale_id__in={t.subject.scale_id for t in requests_}).order_by(
            "-rank"
        ):
            grades.setdefault(value.scale_id, []).append(value)
    for target in requests_:
        target.decide_form = (
            DecideForm(
                subject=target.subject,
                grades=grades.get(target.subject.scale_id, []),
                prefix="decide",
                initial={"grade": target.requested_grade_id},
            )
            if dvt
            else None
        )
    return render(request, "tracking/targets/changes.html", {"requests": requests_, "dvt": dvt})


@login_required
def target_raises(request):
    user = request.user
    permissions.require(permissions.can_see_raises(user))
    reviewer = permissions.can_review_raises(user)
    runner = permissions.can_generate_targets(user)
    school = _school(user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "run":
            permissions.require(runner)
            point = get_object_or_404(AssessmentPoint, pk=request.POST.get("point") or 0, school=school)
            n = services.targets_propose_raises(point=point, by=user)
            messages.success(request, f"{n} raised target(s) proposed for review after {point.name}.")
            return redirect("target_raises")
        proposal = get_object_or_404(
            TargetRaiseProposal.objects.select_related("target__subject"),
            pk=request.POST.get("proposal") or 0,
            school=school,
        )
        permissions.require(permissions.can_review_raises(user, proposal.target.subject))
        try:
            if action == "accept":
                services.target_raise_accept(
                    proposal=proposal, by=user, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request, "Raise accepted: the new target is proposed for SLT to agree and publish."
                )
            elif action == "dismiss":
                services.target_raise_dismiss(
                    proposal=proposal, by=user, reason=request.POST.get("reason", "")
                )
                messages.success(request, "Proposal dismissed; the target stays as it is.")
            else:
                raise Http404("Unknown action")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("target_raises")
    proposals = permissions.raises_visible_to(user).filter(school=school, status=RaiseStatus.OPEN)
    proposals = proposals.select_related(
        "target__pupil__year_group", "target__subject", "target__grade", "point", "achieved", "proposed_grade"
    ).order_by("target__pupil__year_group__number", "target__subject__name", "target__pupil__legal_last_name")
    if fmt := exports.requested(request):
        headers = ["Pupil", "UPN", "Year", "Subject", "Point", "Achieved", "Target", "Proposed"]
        rows = [
            [p.target.pupil.sorted_name, p.target.pupil.upn, p.target.pupil.year_group.number,
             str(p.target.subject), p.point.name, str(p.achieved), str(p.target.grade), str(p.proposed_grade)]
            for p in proposals
        ]  # fmt: skip
        return exports.download(fmt, headers, rows, name="proposed target raises", sheet="Raises")
    points = (
        AssessmentPoint.objects.filter(school=school, academic_year__is_current=True).select_related(
            "year_group"
        )
        if runner
        else []
    )
    return render(
        request,
        "tracking/targets/raises.html",
        {"proposals": list(proposals), "reviewer": reviewer, "runner": runner, "points": points},
    )


# -- generation --------------------------------------------------------------------------------
@login_required
def target_generate(request):
    user = request.user
    permissions.require(permissions.can_generate_targets(user))
    school = _school(user)
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


def _history_table(history):
    """A target's history as its page shows it."""
    rows = []
    for e in history:
        before, after = e.before or {}, e.after or {}
        grade = after.get("grade") or ""
        if before.get("grade") and before["grade"] != after.get("grade"):
            grade = f"{before['grade']} → {grade}"
        if after.get("requested_grade"):
            grade += f" (asks {after['requested_grade']})"
        if after.get("proposed_grade"):
            grade += f" (proposed {after['proposed_grade']})"
        status = e.status_after
        if e.status_before and e.status_before != e.status_after:
            status = f"{e.status_before} → {status}"
        rows.append([e.at, e.by.display_name if e.by else "System", e.label, grade.strip(), status, e.note])
    return ["When", "Who", "What", "Grade", "Status", "Reason / note"], rows


# -- flight paths ------------------------------------------------------------------------------
@login_required
def flight_paths(request):
    user = request.user
    permissions.require(permissions.can_generate_targets(user))
    school = _school(user)
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
    response = HttpResponse(flightpaths_csv(_school(request.user)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="flight-paths.csv"'
    return response


# -- curricular targets ------------------------------------------------------------------------
@login_required
def curricular_target_new(request, kind, pk):
    user = request.user
    permissions.require(permissions.is_staff_member(user))
    owner = {}
    if kind == "pupil":
        owner["pupil"] = pupil = permissions.get_pupil_or_404(user, pk)
        back = reverse("pupil_detail", args=[pupil.pk])
    elif kind == "group":
        owner["group"] = permissions.get_group_or_404(user, pk)
        back = reverse("group_detail", args=[pk])
    elif kind == "form":
        owner["form"] = get_object_or_404(permissions.forms_visible_to(user), pk=pk)
        back = reverse("home")
    else:
        raise Http404("Unknown kind")
    permissions.require(permissions.can_write_curricular_target(user, **owner))
    form = CurricularTargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.curricular_target_create(by=user, **owner, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Curricular target saved.")
            return redirect(back)
    owner_obj = next(iter(owner.values()))
    return render(
        request, "tracking/targets/curricular_form.html", {"form": form, "owner": owner_obj, "back": back}
    )
