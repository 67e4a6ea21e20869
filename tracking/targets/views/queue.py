"""The targets' review queues: change requests for the Data Verification Team and proposed raises."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from tracking import permissions
from tracking.lib import exports
from tracking.lib.errors import DomainError
from tracking.models import AssessmentPoint, GradeValue, RaiseStatus, TargetRaiseProposal
from tracking.targets import services
from tracking.targets.forms import DecideForm
from tracking.targets.views.overview import user_school


@login_required
def target_changes(request):
    user = request.user
    permissions.require(permissions.can_see_target_changes(user))
    dvt = permissions.is_verification_team(user)
    school = user_school(user)
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
    school = user_school(user)
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
