from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from tracking import permissions
from tracking.lib import exports
from tracking.lib.errors import DomainError

from . import access, queries, services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(forms.Form):
    issued_on = forms.DateField(required=False, widget=DATE, label="Issued")
    pupil_signed_on = forms.DateField(required=False, widget=DATE, label="Pupil signed")
    parent_signed_on = forms.DateField(required=False, widget=DATE, label="Parent signed")
    returned_on = forms.DateField(required=False, widget=DATE, label="Returned")


PER_PAGE = 50
FIELD_LABELS = [(name, field.label) for name, field in AgreementForm.base_fields.items()]


@login_required
def agreement_list(request):
    user = request.user
    permissions.require(access.can_see_agreements(user))
    school = permissions.school_for(user)
    year = queries.current_year(school)
    pupils = access.agreement_pupils_visible_to(user)
    if request.method == "POST":
        pupil = pupils.filter(pk=request.POST.get("pupil") if request.POST.get("pupil", "").isdigit() else 0)
        pupil = pupil.select_related("year_group").first()
        permissions.require(pupil is not None)
        form = AgreementForm(request.POST, prefix=f"p{pupil.pk}")
        if form.is_valid():
            try:
                services.agreement_record(pupil=pupil, academic_year=year, by=user, **form.cleaned_data)
            except DomainError as error:
                messages.error(request, f"{pupil.full_name}: {error.message}")
            else:
                messages.success(request, f"Agreement saved for {pupil.full_name}.")
        else:
            messages.error(request, f"{pupil.full_name}: enter dates as day, month and year.")
        return redirect(request.get_full_path())
    chase_only = request.GET.get("chase") == "1"
    # Every Year 11 pupil's stage from one narrow query, then the rows of one page: a school of 6,000
    # has 1,200 Year 11 pupils, each a form of dates.
    year_11 = queries.year_11(pupils) if year else pupils.none()
    dates = dict(queries.dates_by_pupil(year_11, year)) if year else {}
    stages = {pk: queries.stage_of(found) for pk, found in dates.items()}
    wanted = [pk for pk, stage in stages.items() if not chase_only or stage != "returned"]

    def rows_for(pks):
        found = {p.pk: p for p in year_11.filter(pk__in=pks).select_related("form")}
        return [
            (
                found[pk],
                stages[pk],
                [(name, label, dates[pk].get(name)) for name, label in FIELD_LABELS],
            )
            for pk in pks
            if pk in found
        ]

    if fmt := exports.requested(request):
        headers = ["Pupil", "UPN", "Form", "Stage", *(label for _, label in FIELD_LABELS)]
        rows = [
            [p.sorted_name, p.upn, p.form.name if p.form else "", queries.STAGE_LABELS[stage]]
            + [value for _, _, value in row_dates]
            for p, stage, row_dates in rows_for(wanted)
        ]
        name = "agreements chase list" if chase_only else "agreements"
        return exports.download(fmt, headers, rows, name=name, sheet="Agreements")
    page = Paginator(wanted, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "interventions/agreements/list.html",
        {
            "rows": [
                (p, queries.STAGE_LABELS[stage], stage, row_dates) for p, stage, row_dates in rows_for(page)
            ],
            "page_obj": page,
            "counts": queries.counts(stages.values()),
            "labels": queries.STAGE_LABELS,
            "total": len(stages),
            "chase_only": chase_only,
            "is_slt": permissions.is_whole_school(user),
        },
    )
