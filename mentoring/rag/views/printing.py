"""Printed monthly RAG sheets: a mentor asks for theirs, SLT for every mentor's; the worker makes the
PDF and the page shows its progress until it can be downloaded."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tracking import permissions

from ...models import RagSheetJob, SheetJobStatus
from .. import access, services


@login_required
def rag_sheets(request, window_id):
    """Printed RAG sheets: a mentor asks for theirs, SLT for every mentor's; made by the worker."""
    user = request.user
    window, mentor, runs = access.mentors_window_or_404(user, window_id)
    if request.method == "POST":
        whole = request.POST.get("scope") == "all"
        permissions.require(runs if whole else mentor is not None)
        job = services.rag_sheets_request(window=window, mentor=None if whole else mentor, by=user)
        return redirect("mentoring:rag_sheet_job", job.pk)
    jobs = RagSheetJob.objects.filter(window=window).select_related("mentor__user").defer("pdf")
    jobs = jobs if runs else jobs.filter(mentor=mentor)
    return render(
        request,
        "mentoring/rag/sheets.html",
        {
            "window": window,
            "mentor": mentor,
            "runs": runs,
            "jobs": list(jobs[:10]),
            "kept_days": services.rag_sheets_kept_days(window.school),
            "breadcrumbs": [
                {"label": "Academic RAG", "url": reverse("mentoring:rag_home")},
                {"label": "Printed sheets"},
            ],
        },
    )


def _job_or_404(user, job_id):
    jobs = RagSheetJob.objects.filter(school_id__in=permissions.access_for(user).school_ids).select_related(
        "window"
    )
    if not access.can_run_rag(user):
        staff = permissions.access_for(user).staff
        permissions.require(staff is not None and permissions.can_mentor(user))
        jobs = jobs.filter(mentor=staff)
    return permissions.chosen_or_404(jobs.defer("pdf"), job_id)


@login_required
def rag_sheet_job(request, job_id):
    """Progress of a sheets job (htmx polls the partial until it is ready), then the download link."""
    job = _job_or_404(request.user, job_id)
    template = "mentoring/rag/_job.html" if request.headers.get("HX-Request") else "mentoring/rag/job.html"
    return render(
        request,
        template,
        {
            "job": job,
            "breadcrumbs": [
                {"label": "Academic RAG", "url": reverse("mentoring:rag_home")},
                {"label": "Printed sheets", "url": reverse("mentoring:rag_sheets", args=[job.window_id])},
                {"label": "Progress"},
            ],
        },
    )


@login_required
def rag_sheet_pdf(request, job_id):
    job = _job_or_404(request.user, job_id)
    permissions.require(job.status == SheetJobStatus.DONE)
    pdf = RagSheetJob.objects.values_list("pdf", flat=True).get(pk=job.pk)
    who = job.mentor.user.last_name if job.mentor_id else "all-mentors"
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rag-{job.window.month:%Y-%m}-{who.lower()}.pdf"'
    return response
