"""Actions from the Academic RAG: SLT turn a comment into an action with an owner; heads of department,
mentors and SLT see the actions that concern them and move them on."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tracking import permissions
from tracking.lib import exports
from tracking.lib.errors import DomainError
from tracking.models import Role, Staff

from ...models import ActionOwner, RagEntry
from ...queries import mentor_of
from .. import access, services
from ..forms import ActionForm, ActionStatusForm
from .sheets import REVIEW_PER_PAGE, rag_words


def _owners(entry):
    """Who may own an action on this comment: the subject's head of department, the mentor, SLT."""
    school = entry.school
    hods = Staff.objects.filter(
        school=school, roles__role=Role.HEAD_OF_DEPARTMENT, roles__department_id=entry.subject.department_id
    ).select_related("user")
    mentor = mentor_of(entry.pupil, entry.window.academic_year)
    slt = Staff.objects.filter(school=school, roles__role=Role.SLT).select_related("user").distinct()
    owners = [(ActionOwner.HEAD_OF_DEPARTMENT, s, f"{s} (head of department)") for s in hods.distinct()]
    if mentor is not None:
        owners.append((ActionOwner.MENTOR, mentor, f"{mentor} (mentor)"))
    owners += [(ActionOwner.SLT, s, f"{s} (senior leadership)") for s in slt]
    return owners


@login_required
def rag_action_new(request, entry_id):
    """SLT turn a comment into an action with an owner, a due date and a status."""
    user = request.user
    permissions.require(access.can_run_rag(user))
    entry = permissions.chosen_or_404(
        RagEntry.objects.filter(school_id__in=permissions.access_for(user).school_ids).select_related(
            "pupil__form", "subject", "window__academic_year", "school", "by"
        ),
        entry_id,
    )
    today = timezone.localdate()
    form = ActionForm(
        request.POST or None, owners=_owners(entry), initial={"due_on": today + timedelta(days=14)}
    )
    if request.method == "POST" and form.is_valid():
        kind, owner = form.cleaned_data["owner"]
        try:
            services.rag_action_create(
                entry=entry,
                text=form.cleaned_data["text"],
                owner_kind=kind,
                owner=owner,
                due_on=form.cleaned_data["due_on"],
                by=user,
                today=today,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"Action for {entry.pupil.full_name} ({entry.subject.name}) given to {owner}."
            )
            return redirect("mentoring:rag_review", entry.window_id)
    return render(
        request,
        "mentoring/rag/action_new.html",
        {
            "entry": entry,
            "form": form,
            "rag_words": rag_words(entry.school),
            "breadcrumbs": [
                {"label": "Academic RAG", "url": reverse("mentoring:rag_home")},
                {"label": str(entry.window), "url": reverse("mentoring:rag_review", args=[entry.window_id])},
                {"label": "New action"},
            ],
        },
    )


@login_required
def rag_actions(request):
    """Actions from the RAG: SLT all; heads of department their department's; mentors their mentees'."""
    user = request.user
    permissions.require(access.can_see_actions(user))
    school = permissions.school_for(user)
    actions = (
        access.actions_visible_to(user)
        .select_related("pupil__form", "subject", "owner__user", "window", "entry")
        .order_by("status", "due_on", "pk")
    )
    show = request.GET.get("show", "open")
    if show == "open":
        actions = actions.exclude(status="done")
    if fmt := exports.requested(request):
        rag = rag_words(school)
        headers = ["Pupil", "UPN", "Form", "Subject", "Rating", "Action", "Month", "Owner", "Owner's role"]
        headers += ["Due", "Status"]
        rows = [
            [
                a.pupil.sorted_name,
                a.pupil.upn,
                a.pupil.form.name if a.pupil.form else "",
                a.subject.name if a.subject else "",
                rag.get(a.entry.rating, a.entry.rating) if a.entry else "",
                a.text,
                str(a.window),
                str(a.owner or ""),
                a.get_owner_kind_display(),
                a.due_on,
                a.get_status_display(),
            ]
            for a in actions
        ]
        return exports.download(fmt, headers, rows, name="RAG actions", sheet="Actions")
    page = Paginator(actions, REVIEW_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentoring/rag/actions.html",
        {
            "page_obj": page,
            "show": show,
            "status_form": ActionStatusForm(),
            "updatable": {a.pk for a in page if access.can_update_action(user, a)},
            "rag_words": rag_words(school),
        },
    )


@login_required
def rag_action(request, action_id):
    """The owner (or SLT) moves an action on: open, in progress, done (POST only)."""
    user = request.user
    permissions.require(request.method == "POST" and access.can_see_actions(user))
    action = permissions.chosen_or_404(access.actions_visible_to(user).select_related("pupil"), action_id)
    permissions.require(access.can_update_action(user, action))
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose open, in progress or done.")
    else:
        services.rag_action_status_set(action=action, status=form.cleaned_data["status"], by=user)
        messages.success(
            request, f"Action for {action.pupil.full_name}: {action.get_status_display().lower()}."
        )
    return redirect("mentoring:rag_actions")
