"""The data manager's subject access export for one pupil."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from tracking import permissions
from tracking.privacy.subject_access import records_for, subject_access_export


@login_required
def subject_access(request, pk):
    pupil = permissions.get_pupil_or_404(request.user, pk)
    permissions.require(permissions.can_export_subject_access(request.user))
    if request.method == "POST":
        name, content = subject_access_export(pupil=pupil, by=request.user)
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
    kinds = [
        (qs.model._meta.verbose_name_plural.capitalize(), qs.count()) for qs in records_for(pupil).values()
    ]
    return render(request, "tracking/privacy/subject_access.html", {"pupil": pupil, "kinds": kinds})
