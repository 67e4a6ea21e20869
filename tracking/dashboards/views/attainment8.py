"""Attainment 8 and Progress 8 for Years 10 and 11, and the KS2 estimates table the data manager edits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django_tables2 import RequestConfig

from tracking import permissions
from tracking.dashboards import attainment8_pupils, services
from tracking.dashboards.forms import EstimatesForm
from tracking.dashboards.tables.attainment8 import (
    Attainment8Table,
    CohortA8Table,
    ElementsTable,
    SlotsTable,
)
from tracking.dashboards.tables.download import download
from tracking.dashboards.views.cohort import Scope, pdf_response
from tracking.lib import exports
from tracking.models import EstimateTable


@login_required
def attainment8(request):
    permissions.require(permissions.can_see_attainment8(request.user))
    scope = Scope(request, entries_for=permissions.attainment8_entries, own_groups_first=False)
    estimates = EstimateTable(scope.school)
    rows = (
        attainment8_pupils.attainment8_rows(scope.scoped, scope.points, scope.school, estimates)
        if scope.term
        else []
    )
    table = Attainment8Table(attainment8_pupils.records(rows), query=scope.query())
    cohort = attainment8_pupils.cohort_a8(rows)
    splits = []
    for title, groups, gap in cohort:
        split = CohortA8Table([*groups, gap] if gap else groups, heading=title)
        RequestConfig(request, paginate=False).configure(split)
        splits.append((title, split, gap))
    fmt = request.GET.get("export")
    if fmt in exports.FORMATS:
        RequestConfig(request, paginate=False).configure(table)
        # CSV: the pupils; XLSX: the pupils and every split, a sheet each.
        return download([table, *[split for _t, split, _g in splits]], fmt, f"attainment8 {scope.term}")
    printing = request.GET.get("print") == "pdf" and scope.term is not None
    # Fifty pupils a page, on paper as on screen: the downloads hold every pupil.
    RequestConfig(request).configure(table)
    context = {
        "scope": scope,
        "school": scope.school,
        "rows": rows,
        "table": table,
        "cards": _cards(cohort),
        "splits": splits,
        "has_estimates": bool(estimates),
        "can_edit": permissions.can_edit_progress_estimates(request.user),
        "from_dashboard": permissions.can_see_dashboard(request.user),
        "years": sorted({pupil.year for pupil, *_rest in rows}),  # a head of year's: their own
    }
    if printing:
        return pdf_response(
            request, "tracking/dashboards/attainment8_pdf.html", context, f"attainment8 {scope.term}"
        )
    return render(request, "tracking/dashboards/attainment8.html", context)


@login_required
def pupil_slots(request, pk):
    """One pupil's slot breakdown: which subject and grade fills each of the ten slots, from the same
    calculation as the Attainment 8 table's row (the page's term and cohort choices carried along)."""
    permissions.require(permissions.can_see_attainment8(request.user))
    scope = Scope(request, entries_for=permissions.attainment8_entries, own_groups_first=False)
    pupil = get_object_or_404(permissions.pupils_visible_to(request.user), pk=pk, school=scope.school)
    estimates = EstimateTable(scope.school)
    graded = {}
    rows = (
        attainment8_pupils.attainment8_rows(
            scope.scoped.filter(pupil_id=pupil.pk), scope.points, scope.school, estimates, graded=graded
        )
        if scope.term
        else []
    )
    row = rows[0] if rows else None
    context = {
        "scope": scope,
        "pupil": pupil,
        "row": row,
        "has_estimates": bool(estimates),
        "from_dashboard": permissions.can_see_dashboard(request.user),
    }
    elements, slots = [], []
    if row is not None:
        elements = attainment8_pupils.element_scores(row, estimates.band_for(row[0].ks2_mean))
        slots = attainment8_pupils.slots(row[1], graded[pupil.pk])
        counted = {slot.subject for slot in slots}
        context["uncounted"] = [
            (subject, grade) for subject, grade in graded[pupil.pk] if subject not in counted
        ]
    printing = request.GET.get("print") == "pdf"
    slots_table = SlotsTable(slots, attainment8=row[1].attainment8 if row else None, orderable=not printing)
    elements_table = ElementsTable(elements, orderable=not printing)
    for table in (slots_table, elements_table):
        RequestConfig(request, paginate=False).configure(table)
    context.update(elements=elements, slots=slots, slots_table=slots_table, elements_table=elements_table)
    name = f"attainment8 {pupil.sorted_name} {scope.term or ''}"
    fmt = request.GET.get("export")
    if fmt in exports.FORMATS:
        # CSV: the slots; XLSX: the slots and the elements, a sheet each.
        return download([slots_table, elements_table], fmt, name)
    if printing:
        return pdf_response(request, "tracking/dashboards/attainment8_pupil_pdf.html", context, name)
    return render(request, "tracking/dashboards/attainment8_pupil.html", context)


def _cards(cohort):
    """The headline cards: everyone, the disadvantaged split with its gap (as in the split's table), and
    everyone's Progress 8 in each element."""
    everyone = cohort[0][1][0]
    _title, groups, gap = next(split for split in cohort if split[0] == "Disadvantaged")
    by_key = {group.key: group for group in groups}
    elements = [
        (getattr(everyone, name), label)
        for name, label in zip(
            attainment8_pupils.ELEMENT_P8_FIELDS, ("English", "maths", "EBacc", "open"), strict=True
        )
    ]
    return {
        "all": everyone,
        "disadvantaged": by_key.get(True),
        "others": by_key.get(False),
        "gap": gap,
        "elements": elements,
    }


@login_required
def progress_estimates(request):
    permissions.require(permissions.can_edit_progress_estimates(request.user))
    school = permissions.school_for(request.user)
    current = services.progress_estimates_current(school)
    form = EstimatesForm(request.POST or None, initial={"table": "\n".join(services.estimate_lines(current))})
    if request.method == "POST" and form.is_valid():
        rows = form.cleaned_data["table"]
        services.progress_estimates_replace(school=school, rows=rows, by=request.user)
        messages.success(request, f"Saved {len(rows)} estimate bands.")
        return redirect("progress_estimates")
    return render(
        request, "tracking/dashboards/estimates.html", {"form": form, "rows": current, "school": school}
    )
