"""The data manager's import pages: upload, dry run, commit, and the record of every import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from tracking import permissions
from tracking.middleware import upload_limit
from tracking.mis.forms import CtfUploadForm
from tracking.mis.services import ctf_import, ctf_import_commit, max_bytes
from tracking.models import ImportJob, ImportStatus

RECENT_JOBS = 20


@upload_limit("UPLIFT_IMPORT_MAX_BYTES")
@login_required
def import_list(request):
    permissions.require(permissions.can_import(request.user))
    school = permissions.school_for(request.user)
    form = CtfUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read(max_bytes() + 1)
        job = ctf_import(school=school, raw=raw, file_name=upload.name, by=request.user, commit=False)
        return redirect("import_detail", pk=job.pk)
    jobs = ImportJob.objects.filter(school=school).select_related("by").defer("content", "changes", "notes")
    return render(
        request,
        "tracking/mis/import_list.html",
        {"form": form, "jobs": jobs[:RECENT_JOBS], "limit_mb": max_bytes() // (1024 * 1024)},
    )


@login_required
def import_detail(request, pk):
    job = permissions.get_import_job_or_404(request.user, pk)
    return render(request, "tracking/mis/import_detail.html", {"job": job, "Status": ImportStatus})


@login_required
def import_commit(request, pk):
    job = permissions.get_import_job_or_404(request.user, pk)
    if request.method != "POST":  # the dry-run page is the confirmation page
        return import_detail(request, pk)
    if job.status != ImportStatus.PREVIEWED:
        messages.error(request, "This dry run has already been committed or replaced: upload the file again.")
        return redirect("import_detail", pk=job.pk)
    done = ctf_import_commit(job=job, by=request.user)
    if done.status == ImportStatus.COMMITTED:
        messages.success(request, f"Imported {done.file_name}: {done.summary}.")
    else:
        messages.error(
            request, "The file no longer imports cleanly: nothing was saved. See the problems below."
        )
    return redirect("import_detail", pk=done.pk)
