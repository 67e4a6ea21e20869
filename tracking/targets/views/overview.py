"""Target pages: the approval screen, one pupil's target in a subject (its history and actions) and
curricular targets. Thin: permissions decide, tracking.targets does the work. The review queues are in
views.queue, generation and flight paths in views.generation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from tracking import permissions
from tracking.lib import exports
from tracking.lib.errors import DomainError
from tracking.models import Pupil, Subject, TargetStatus, YearGroup
from tracking.targets import queries, services
from tracking.targets.forms import (
    CurricularTargetForm,
    DecideForm,
    ProposeForm,
    RequestChangeForm,
    TargetFilterForm,
)


def user_school(user):
    """The school whose targets the user works on; 404 for a user without one."""
    school = permissions.school_for(user)
    permissions.require(school is not None)
    return school


# -- approval screen ---------------------------------------------------------------------------
@login_required
def target_overview(request):
    user = request.user
    permissions.require(permissions.is_staff_member(user))
    school = user_school(user)
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
    all_counts = queries.status_counts(year_targets)
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
