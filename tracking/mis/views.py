"""The data manager's import pages: upload, choose columns, dry run, commit, progress, and the record of
every import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from tracking import permissions
from tracking.lib import exports
from tracking.middleware import upload_limit
from tracking.mis.columns import mapping_problems, remember_mapping, saved_mapping
from tracking.mis.forms import ColumnsForm, CtfUploadForm, SpreadsheetUploadForm
from tracking.mis.jobs import (
    importer_for,
    job_commit,
    job_reject,
    job_start,
    jobs_supersede_pending,
    max_bytes,
)
from tracking.mis.kinds import spreadsheet_importer, spreadsheet_importers, spreadsheet_job
from tracking.mis.services import ctf_import
from tracking.mis.tabular import read_table
from tracking.models import ImportJob, ImportKind, ImportStatus

RECENT_JOBS = 20


def _too_large():
    return f"The file is larger than the {max_bytes() // (1024 * 1024)} MB limit."


def _rejected(school, kind, upload, by, message):
    job = ImportJob(school=school, kind=kind, file_name=upload.name[:200], by=by)
    job_reject(job, [("file", message)])
    job.save()
    return redirect("import_detail", pk=job.pk)


def _outcome(job):
    if job.in_progress:
        return f"{job.percent_done}% checked"
    if job.status == "mapping":
        return "Columns to choose"
    if job.status == "rejected":
        return f"{len(job.problems)} problem{'' if len(job.problems) == 1 else 's'}"
    return job.summary


def _jobs_table(jobs):
    """(headers, rows) of every import the school has run, as the list shows its recent ones."""
    headers = ["When", "Kind", "File", "By", "Status", "Outcome", "Created", "Updated", "Unchanged"]
    rows = [
        [
            job.created_at,
            job.get_kind_display(),
            job.file_name,
            (job.by.get_full_name() or job.by.username) if job.by else "Command line",
            job.get_status_display(),
            _outcome(job),
            job.created,
            job.updated,
            job.unchanged,
        ]
        for job in jobs
    ]
    return headers, rows


@upload_limit("UPLIFT_IMPORT_MAX_BYTES")
@login_required
def import_list(request):
    permissions.require(permissions.can_import(request.user))
    school = permissions.school_for(request.user)
    form = CtfUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_bytes():  # refused before the body is read
            return _rejected(school, ImportKind.CTF, upload, request.user, _too_large())
        job = ctf_import(
            school=school, raw=upload.read(), file_name=upload.name, by=request.user, commit=False
        )
        jobs_supersede_pending(school=school, kind=ImportKind.CTF, keep=job)
        return redirect("import_detail", pk=job.pk)
    jobs = ImportJob.objects.filter(school=school).select_related("by").defer("content", "changes", "notes")
    if fmt := exports.requested(request):
        return exports.download(fmt, *_jobs_table(jobs), name="imports", sheet="Imports")
    return render(
        request,
        "tracking/mis/import_list.html",
        {
            "form": form,
            "jobs": jobs[:RECENT_JOBS],
            "limit_mb": max_bytes() // (1024 * 1024),
            "importers": spreadsheet_importers(),
        },
    )


@upload_limit("UPLIFT_IMPORT_MAX_BYTES")
@login_required
def import_upload(request, kind):
    permissions.require(permissions.can_import(request.user))
    importer = spreadsheet_importer(kind)
    if importer is None:
        raise Http404("no such import")
    school = permissions.school_for(request.user)
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None, importer=importer)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_bytes():  # refused before the body is read
            return _rejected(school, kind, upload, request.user, _too_large())
        job = spreadsheet_job(
            school=school,
            kind=kind,
            raw=upload.read(),
            file_name=upload.name,
            by=request.user,
            options=form.options(),
        )
        jobs_supersede_pending(school=school, kind=kind, keep=job)
        if job.status == ImportStatus.MAPPING:
            return redirect("import_columns", pk=job.pk)
        if job.status != ImportStatus.REJECTED:
            remember_mapping(school=school, kind=kind, mapping=job.mapping, by=request.user)
            job_start(job=job, commit=False)
        return redirect("import_detail", pk=job.pk)
    return render(
        request,
        "tracking/mis/import_upload.html",
        {
            "form": form,
            "importer": importer,
            "saved": saved_mapping(school, kind),
            "limit_mb": max_bytes() // (1024 * 1024),
        },
    )


@login_required
def import_columns(request, pk):
    """Choose which of the file's columns fills which field; remembered for the school's next file."""
    job = permissions.get_import_job_or_404(request.user, pk)
    importer = spreadsheet_importer(job.kind)
    if importer is None or job.status not in (ImportStatus.MAPPING, ImportStatus.PREVIEWED):
        messages.info(request, "This import's columns can no longer be changed: upload the file again.")
        return redirect("import_detail", pk=job.pk)
    table = read_table(bytes(job.content), file_name=job.file_name, max_bytes=max_bytes())
    form = ColumnsForm(
        request.POST or None, columns=importer.columns, header=table.header, initial_mapping=job.mapping
    )
    problems = []
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        problems = importer.mapping_rules(mapping)
        if not problems:
            job.mapping, job.status = mapping, ImportStatus.RUNNING
            job.problems = job.changes = job.notes = []
            job.save()
            remember_mapping(school=job.school, kind=job.kind, mapping=mapping, by=request.user)
            job_start(job=job, commit=False)
            return redirect("import_detail", pk=job.pk)
    elif request.method != "POST":
        problems = mapping_problems(importer.columns, job.mapping, table.header)
    return render(
        request,
        "tracking/mis/import_columns.html",
        {"job": job, "importer": importer, "form": form, "problems": problems, "header": table.header},
    )


@login_required
def import_detail(request, pk):
    job = permissions.get_import_job_or_404(request.user, pk)
    if job.status == ImportStatus.MAPPING:
        return redirect("import_columns", pk=job.pk)
    importer = importer_for(job.kind)
    mapping = [(c.label, job.mapping.get(c.name)) for c in importer.columns if job.mapping.get(c.name)]
    # Memberships a "lists every member" groups file takes away are shown apart, every one of them.
    changes = [c for c in job.changes if c.get("action") != "remove"]
    removals = [c for c in job.changes if c.get("action") == "remove"]
    chosen = [label for name, (label, _help) in importer.options.items() if job.options.get(name)]
    if fmt := exports.requested(request):
        headers, rows = _changes_table(job, importer)
        return exports.download(fmt, headers, rows, name=f"import {job.file_name}", sheet="Changes")
    return render(
        request,
        "tracking/mis/import_detail.html",
        {
            "job": job,
            "Status": ImportStatus,
            "importer": importer,
            "mapping": mapping,
            "options": chosen,
            "changes": changes[:SHOWN_CHANGES],
            "more_changes": max(0, len(changes) - SHOWN_CHANGES),
            "removals": removals,
        },
    )


SHOWN_CHANGES = 500
ACTIONS = {"create": "Create", "update": "Update", "remove": "Remove"}


def _change_text(row, importer):
    if row.get("detail"):
        return row["detail"]
    if row.get("action") == "create":
        return importer.new_label
    return "; ".join(
        f"{name}: {before or 'blank'} → {after or 'blank'}"
        for name, (before, after) in row.get("fields", {}).items()
    )


def _changes_table(job, importer):
    """Every change of a dry run or an import (the page shows the first SHOWN_CHANGES), or, for a
    rejected file, every problem with its line."""
    if job.status == ImportStatus.REJECTED:
        return ["Where", "Problem"], [[where, message] for where, message in job.problems]
    rows = [
        [row.get("key") or row.get("upn") or "", row.get("name", ""), ACTIONS.get(row.get("action"), ""),
         _change_text(row, importer)]
        for row in job.changes
    ]  # fmt: skip
    return [importer.key_label, "Name", "Action", "Change"], rows


@login_required
def import_progress(request, pk):
    """The progress panel a running job's page polls (htmx); once finished, the page reloads."""
    job = permissions.get_import_job_or_404(request.user, pk)
    response = render(request, "tracking/mis/_progress.html", {"job": job})
    if request.htmx and not job.in_progress:
        response["HX-Refresh"] = "true"
    return response


@login_required
def import_commit(request, pk):
    job = permissions.get_import_job_or_404(request.user, pk)
    if request.method != "POST":  # the dry-run page is the confirmation page
        return import_detail(request, pk)
    if job.status != ImportStatus.PREVIEWED:
        messages.error(request, "This dry run has already been committed or replaced: upload the file again.")
        return redirect("import_detail", pk=job.pk)
    done = job_commit(job=job, by=request.user)
    if done.status == ImportStatus.COMMITTED:
        messages.success(request, f"Imported {done.file_name}: {done.summary}.")
    elif done.in_progress:
        messages.info(request, f"Importing {done.file_name} in the background: this page shows its progress.")
    else:
        messages.error(
            request, "The file no longer imports cleanly: nothing was saved. See the problems below."
        )
    return redirect("import_detail", pk=done.pk)
