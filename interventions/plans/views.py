from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from tracking import audit, permissions
from tracking.lib import exports, pdf, printed
from tracking.lib.errors import DomainError
from tracking.models import GradeEntry, Subject

from .. import grades, paper
from ..access import can_act_on, get_flag_or_404
from . import access, queries, services, warnings
from .filters import PlanFilter
from .forms import PlanForm, ReviewForm, TargetGroupForm
from .models import Plan
from .tables import PlanTable

PLANS_PER_PAGE = 50


def _filtered(request):
    user = request.user
    plan_filter = PlanFilter(
        request.GET, queryset=queries.plan_list(access.plans_visible_to(user)), user=user
    )
    return plan_filter


@login_required
def plan_list(request):
    user = request.user
    permissions.require(access.can_see_plan_lists(user))
    plan_filter = _filtered(request)
    table = _table(request, plan_filter)
    page_pupils = {row.record.pupil_id: row.record.pupil for row in table.paginated_rows}
    school = permissions.school_for(user)
    found = warnings.for_pupils(list(page_pupils), school) if school else {}
    page_warnings = sorted(
        ((page_pupils[pk].sorted_name, messages_) for pk, messages_ in found.items()), key=lambda w: w[0]
    )
    return render(
        request,
        "interventions/plans/plan_list.html",
        {
            "filter": plan_filter,
            "table": table,
            "warnings": page_warnings,
            "due": queries.due_review_count(access.plans_owned_by(user)),
            "query": request.GET.urlencode(),
            "ks_sheet": access.can_see_ks_sheet(user),
        },
    )


def _table(request, plan_filter):
    """The plans table as the page shows it: filtered, sorted, fifty a page."""
    table = PlanTable(plan_filter.qs.order_by("status", "-level", "pupil__legal_last_name", "pk"))
    RequestConfig(request, paginate={"per_page": PLANS_PER_PAGE}).configure(table)
    return table


@login_required
def plan_export(request, fmt):
    user = request.user
    permissions.require(access.can_see_plan_lists(user) and fmt in exports.FORMATS)
    plans = _filtered(request).qs.order_by("pupil__year_group__number", "pupil__legal_last_name", "pk")
    body, content_type = paper.export(fmt, queries.EXPORT_HEADERS, queries.export_rows(plans), title="Plans")
    return paper.download(body, content_type, f"intervention-plans-{timezone.localdate():%Y-%m-%d}.{fmt}")


@login_required
def plan_pdf(request):
    """The plans the page shows, on paper: its filters, its sort and its page of fifty (the CSV and XLSX
    hold every plan; tracking/lib/printed.py)."""
    user = request.user
    permissions.require(access.can_see_plan_lists(user))
    plan_filter = _filtered(request)
    table = printed.for_paper(_table(request, plan_filter))
    school = permissions.school_for(user)
    content = pdf.render_pdf(
        "interventions/plans/plan_list_pdf.html",
        {
            "plans": [row.record for row in table.paginated_rows],
            "page_obj": table.page,
            "sorted_by": table.printed_sort,
            "filtered_by": printed.filters_described(plan_filter),
            "school": school,
            "printed_by": user.display_name,
            "printed_at": timezone.now(),
        },
    )
    return paper.download(
        content, "application/pdf", f"intervention-plans-{timezone.localdate():%Y-%m-%d}.pdf"
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_from_flag(request, flag_pk):
    """GET: what the plan will say; POST: make it (once: a second POST opens the same plan)."""
    user = request.user
    permissions.require(permissions.is_staff_member(user))
    flag = get_flag_or_404(user, flag_pk)
    permissions.require(can_act_on(user, flag))
    existing = Plan.objects.filter(flag=flag).first()
    if request.method == "POST":
        plan, created = services.plan_from_flag(flag=flag, by=user)
        if created:
            messages.success(request, f"Level {plan.level} plan started for {flag.pupil.full_name}.")
        if access.plans_visible_to(user).filter(pk=plan.pk).exists():
            return redirect("interventions:plan_detail", pk=plan.pk)
        return redirect("interventions:flag_detail", pk=flag.pk)
    subject_ids = [flag.subject_id] if flag.subject_id else None
    standing = grades.pupil_standing(flag.pupil, subject_ids=subject_ids, point=flag.point)
    if subject_ids is None:
        standing = [s for s in standing if s.is_below]
    return render(
        request,
        "interventions/plans/plan_from_flag.html",
        {
            "flag": flag,
            "existing": existing,
            "tier": services.tier_for_scope(flag.scope),
            "standing": standing,
            "actions": services.LEVEL_ACTIONS[flag.level],
        },
    )


@login_required
def plan_detail(request, pk):
    user = request.user
    plan = access.get_plan_or_404(user, pk)
    can_change = access.can_change(user, plan)
    pupil = plan.pupil
    graded = GradeEntry.objects.filter(pupil=pupil).values("subject_id")
    subjects = Subject.objects.filter(
        Q(pk__in=graded) | Q(pk__in=plan.subjects.values("pk")), school_id=plan.school_id
    ).order_by("name")
    action = request.POST.get("action") if request.method == "POST" else None
    form = review_form = None
    due_points = queries.review_points(plan)
    if can_change:
        form = PlanForm(request.POST if action == "save" else None, instance=plan, subjects=subjects)
        if plan.status == "active":
            review_form = ReviewForm(request.POST if action == "review" else None, points=due_points)
    if request.method == "POST":
        permissions.require(can_change and action in ("save", "review"))
        if action == "save" and form.is_valid():
            # The form validated into the instance; the service re-reads the row and applies the changes.
            plan.refresh_from_db()
            data, chosen = form.changes()
            try:
                services.plan_update(plan=plan, by=user, subjects=chosen, **data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Plan saved.")
                return redirect("interventions:plan_detail", pk=plan.pk)
        if action == "review" and review_form is not None and review_form.is_valid():
            try:
                review = services.plan_review(plan=plan, by=user, **review_form.cleaned_data)
            except DomainError as error:
                review_form.add_error(None, error.message)
            else:
                messages.success(request, f"Review recorded: {review.get_decision_display().lower()}.")
                return redirect("interventions:plan_detail", pk=plan.pk)
        plan.refresh_from_db()
    subject_ids = list(plan.subjects.values_list("pk", flat=True))
    if fmt := exports.requested(request):
        sheets = _plan_sheets(plan.reviews.select_related("point", "by"), audit.history_for(plan))
        return exports.download_sheets(fmt, sheets, name=f"plan {pupil.full_name}")
    return render(
        request,
        "interventions/plans/plan_detail.html",
        {
            "plan": plan,
            "pupil": pupil,
            "school": pupil.school,
            "form": form,
            "review_form": review_form,
            "can_change": can_change,
            "due_points": list(due_points),
            "standing_now": grades.pupil_standing(pupil, subject_ids=subject_ids or None),
            "reviews": plan.reviews.select_related("point", "by"),
            "warnings": warnings.for_pupil(pupil),
            "history": audit.history_for(plan),
            "subjects": queries.subjects_text(plan),
        },
    )


def _plan_sheets(reviews, history):
    """A plan's reviews (the CSV holds them) and its history, as on its page."""
    review_rows = [
        [
            r.point.name, r.get_decision_display(), r.level_before, r.level_after,
            "; ".join(
                f"{s['subject']} {s.get('grade') or '—'}" + (f"/{s['target']}" if s.get("target") else "")
                for s in r.standing
            ),
            r.by.display_name if r.by else "", r.note or "",
        ]
        for r in reviews
    ]  # fmt: skip
    history_rows = []
    for event in history:
        if event.action == "interventions.plan.created":
            what = "Plan started"
        elif event.action == "interventions.plan.reviewed":
            what = f"Reviewed: {(event.after or {}).get('decision', '')}"
        else:
            what = "Changed: " + "; ".join(f"{k} → {v or 'blank'}" for k, v in (event.after or {}).items())
        history_rows.append([event.at, event.by.display_name if event.by else "Uplift", what])
    return [
        (
            "Reviews",
            ["After", "Decision", "Level before", "Level after", "Standing then", "By", "Note"],
            review_rows,
        ),
        ("History", ["When", "Who", "What"], history_rows),
    ]


# -- the key-stage coordinator's tracking sheet and target groups --------------------------------


def _key_stage(request, stages):
    try:
        chosen = int(request.GET.get("ks", ""))
    except ValueError:
        chosen = None
    return chosen if chosen in stages else min(stages)


@login_required
def ks_sheet(request):
    user = request.user
    stages = access.sheet_key_stages(user)
    permissions.require(stages)
    key_stage = _key_stage(request, stages)
    school = permissions.school_for(user)
    scope = permissions.pupils_visible_to(user)
    if request.method == "GET" and (fmt := exports.requested(request)):
        _, everyone = queries.ks_sheet(school, key_stage, scope, per_page=None)
        rows = queries.ks_sheet_export_rows(everyone.object_list)
        return exports.download(fmt, queries.KS_SHEET_HEADERS, rows, name=f"KS{key_stage} tracking sheet")
    points, page = queries.ks_sheet(school, key_stage, scope, request.GET.get("page"))
    form = TargetGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = request.POST.getlist("pupil")
        pupils = list(scope.filter(pk__in=[p for p in chosen if p.isdigit()]).select_related("year_group"))
        try:
            group = services.target_group_create(
                school=school, key_stage=key_stage, name=form.cleaned_data["name"], pupils=pupils, by=user,
                point=points[-1] if points else None,
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Target group '{group.name}' made with {len(pupils)} pupils.")
            return redirect("interventions:target_group_detail", pk=group.pk)
    groups = access.target_groups_visible_to(user).filter(key_stage=key_stage)
    return render(
        request,
        "interventions/plans/ks_sheet.html",
        {"key_stage": key_stage, "stages": sorted(stages), "points": points, "rows": page.object_list,
         "page": page, "form": form, "groups": groups.annotate(size=Count("pupils"))},
    )  # fmt: skip


@login_required
def target_group_detail(request, pk):
    user = request.user
    group = access.get_target_group_or_404(user, pk)
    scope = permissions.pupils_visible_to(user)
    if request.method == "POST":
        remove = {int(p) for p in request.POST.getlist("remove") if p.isdigit()}
        keep = list(
            group.pupils.exclude(pk__in=remove).filter(pk__in=scope.values("pk")).select_related("year_group")
        )
        services.target_group_set_pupils(group=group, pupils=keep, by=user)
        messages.success(request, "Group updated.")
        return redirect("interventions:target_group_detail", pk=group.pk)
    rows = queries.group_progress(group)
    if fmt := exports.requested(request):
        headers = ["Pupil", "UPN", "Form", "Subjects below target then", "Now"]
        table = [
            [
                r["pupil"].sorted_name,
                r["pupil"].upn,
                getattr(r["pupil"].form, "name", ""),
                r["then"],
                r["now"],
            ]
            for r in rows
        ]
        return exports.download(fmt, headers, table, name=f"target group {group.name}", sheet="Target group")
    return render(request, "interventions/plans/target_group.html", {"group": group, "rows": rows})
