from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django_tables2 import RequestConfig

from tracking import audit, permissions
from tracking.lib import exports
from tracking.lib.errors import DomainError
from tracking.models import Staff
from tracking.school.filters import PupilFilter
from tracking.school.queries import pupil_list

from . import access, queries, services
from .filters import FlagFilter
from .forms import ActionForm, ManualFlagForm, PresetForm, RuleForm, RunRulesForm
from .models import Flag, InterventionSettings, Rule
from .plans.access import plans_visible_to
from .tables import FlagTable


@login_required
def flag_list(request):
    user = request.user
    permissions.require(access.can_see_flags_page(user))
    acc = permissions.access_for(user)
    owners = None
    if acc.whole_school:
        owners = (
            Staff.objects.filter(school_id__in=acc.school_ids, owned_flags__isnull=False)
            .distinct()
            .select_related("user")
        )
    flag_filter = FlagFilter(
        request.GET,
        queryset=queries.flag_list(access.flags_visible_to(user)),
        school_ids=acc.school_ids,
        owners=owners,
    )
    table = FlagTable(flag_filter.qs)
    if fmt := exports.requested(request):
        return exports.table_download(request, table, fmt, name="flags")
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    queries.read_page_through_ids(table, queries.flag_list(Flag.objects.all()))
    return render(
        request,
        "interventions/flag_list.html",
        {"filter": flag_filter, "table": table, "whole_school": acc.whole_school},
    )


@login_required
def flag_detail(request, pk):
    user = request.user
    permissions.require(permissions.is_staff_member(user))
    flag = access.get_flag_or_404(user, pk)
    can_act = access.can_act_on(user, flag)
    initial = {
        "level": flag.level,
        "action_text": flag.action_text,
        "action_due": flag.action_due,
        "status": flag.status,
    }
    if fmt := exports.requested(request):
        headers, rows = _flag_history(flag, audit.history_for(flag))
        name = f"flag {flag.pupil.full_name}"
        return exports.download(fmt, headers, rows, name=name, sheet="Flag history")
    form = ActionForm(request.POST or None, initial=initial) if can_act else None
    if request.method == "POST":
        permissions.require(can_act)
        if form.is_valid():
            try:
                services.flag_action_record(flag=flag, by=user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _saved_message(form))
                return redirect("interventions:flag_detail", pk=flag.pk)
    return render(
        request,
        "interventions/flag_detail.html",
        {
            "flag": flag,
            "form": form,
            "history": audit.history_for(flag),
            "school": flag.pupil.school,
            "plan": plans_visible_to(user).filter(flag=flag).first(),
        },
    )


FLAG_ACTIONS = {
    "interventions.flag.action_recorded": "Action recorded",
    "interventions.flag.level_set": "Level set",
}


def _flag_history(flag, history):
    """The flag page's history table as (headers, rows): its raising, then each audited change."""
    raised = f'Raised by rule "{flag.rule.name}"' if flag.rule else "Raised"
    by = flag.raised_by.display_name if flag.raised_by else "Rules"
    rows = [[flag.raised_at, by, raised, f"Level {flag.level}: {flag.reason}"]]
    for event in history:
        if event.action == "interventions.flag.raised":
            continue
        what = FLAG_ACTIONS.get(event.action, event.action) + (f" ({event.via})" if event.via else "")
        before, after = event.before or {}, event.after or {}
        details = ""
        if event.action == "interventions.flag.level_set":
            details = f"Level {before.get('level')} → {after.get('level')}"
        if after.get("status"):
            details += str(after["status"]).capitalize()
        if after.get("action_text"):
            details += f": {after['action_text']}"
        if after.get("action_due"):
            details += f" (due {after['action_due']})"
        rows.append([event.at, event.by.display_name if event.by else "Scheduler", what, details])
    return ["When", "Who", "What", "Details"], rows


def _saved_message(form):
    changed = set(form.changed_data)
    level = f"Level set to {form.cleaned_data['level']}." if "level" in changed else ""
    if changed - {"level"}:
        return f"Action recorded. {level}".strip()
    return level or "Nothing to save: nothing changed."


@login_required
def flag_new(request):
    """Find a pupil to flag by hand: a name or UPN search over the pupils this user may see."""
    user = request.user
    permissions.require(permissions.is_staff_member(user))
    query = request.GET.get("q", "").strip()
    pupils = []
    if query:
        found = PupilFilter({"q": query}, queryset=permissions.pupils_visible_to(user)).qs
        pupils = list(pupil_list(found)[:25])
    return render(request, "interventions/flag_new.html", {"query": query, "pupils": pupils})


@login_required
def flag_create(request, pupil_pk):
    user = request.user
    permissions.require(permissions.is_staff_member(user))
    pupil = permissions.get_pupil_or_404(user, pupil_pk)
    permissions.require(access.can_raise_flag(user, pupil))
    form = ManualFlagForm(request.POST or None, subjects=queries.subjects_studied(pupil))
    if request.method == "POST" and form.is_valid():
        try:
            flag = services.flag_raise(pupil=pupil, by=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"{pupil.full_name} flagged" + (f" for {flag.owner}." if flag.owner else ".")
            )
            if access.flags_visible_to(user).filter(pk=flag.pk).exists():
                return redirect("interventions:flag_detail", pk=flag.pk)
            return redirect("pupil_detail", pk=pupil.pk)
    return render(request, "interventions/flag_form.html", {"form": form, "pupil": pupil})


@login_required
def rules(request):
    user = request.user
    permissions.require(access.can_manage_rules(user))
    school = permissions.school_for(user)
    settings, _ = InterventionSettings.objects.get_or_create(school=school)
    running = request.method == "POST" and "run" in request.POST
    choosing = request.method == "POST" and not running
    form = PresetForm(
        request.POST if choosing else None, school=school, initial={"preset": settings.active_preset_id}
    )
    run_form = RunRulesForm(request.POST if running else None, school=school)
    if choosing and form.is_valid():
        services.preset_activate(school=school, preset=form.cleaned_data["preset"], by=user)
        messages.success(request, f"{form.cleaned_data['preset']} is now the active preset.")
        return redirect("interventions:rules")
    if running and run_form.is_valid():
        point = run_form.cleaned_data["point"]
        result = services.rules_run(point=point, by=user)
        messages.success(
            request,
            f"Rules run for {point.name}: {result.pupils} pupils, {result.raised} new flags, "
            f"{result.updated} brought up to date.",
        )
        return redirect("interventions:rules")
    rule_list = Rule.objects.filter(preset_id=settings.active_preset_id).order_by("order", "pk")
    if fmt := exports.requested(request):
        return exports.download(fmt, *_rules_table(rule_list), name="intervention rules", sheet="Rules")
    return render(
        request,
        "interventions/rules.html",
        {"form": form, "run_form": run_form, "preset": settings.active_preset, "rules": rule_list},
    )


def _rules_table(rule_list):
    headers = [
        "Rule", "Reason reads", "Scope", "Key stages", "Threshold", "Set by your school", "Level", "Owner",
        "From the policy", "Policy note", "On",
    ]  # fmt: skip
    rows = [
        [
            rule.name, rule.reason_template, rule.get_scope_display(),
            " ".join(ks for ks, on in (("KS3", rule.ks3), ("KS4", rule.ks4), ("KS5", rule.ks5)) if on),
            rule.threshold_text, "Yes" if rule.set_by_school else "No",
            "by band" if rule.kind == "off_target_bands" else rule.level, rule.get_owner_display(),
            rule.policy_quote, rule.policy_note, "Yes" if rule.is_active else "No",
        ]
        for rule in rule_list
    ]  # fmt: skip
    return headers, rows


@login_required
def rule_edit(request, pk):
    user = request.user
    rule = access.get_rule_or_404(user, pk)
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        services.rule_update(rule=rule, by=user, **form.changes())
        messages.success(request, f"Rule '{form.cleaned_data['name']}' saved.")
        return redirect("interventions:rules")
    return render(request, "interventions/rule_form.html", {"form": form, "rule": rule})
