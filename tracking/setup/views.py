"""The data manager's set-up pages: the first-run checklist, the calendar, scales, subjects, the
year's assessment points, the school's words and colours, and staff roles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django_tables2 import RequestConfig

from tracking import permissions, standing
from tracking.lib import exports
from tracking.lib.scales import STANDARD_SCALES
from tracking.mis.export import school_export
from tracking.models import (
    AcademicYear,
    AssessmentPoint,
    GradeScale,
    GradeValue,
    Role,
    Staff,
    StaffRole,
    Subject,
    YearGroup,
)
from tracking.setup.checklist import setup_checklist
from tracking.setup.forms import (
    CalendarForm,
    GradeValueFormSet,
    PointForm,
    RoleForm,
    ScaleForm,
    ScaleNameForm,
    SchoolWordsForm,
    SubjectForm,
)
from tracking.setup.services import (
    LastDataManager,
    calendar_save,
    point_save,
    role_add,
    role_remove,
    scale_create,
    scale_edit,
    scales_install,
    scales_missing,
    school_settings_save,
    subject_save,
)
from tracking.setup.tables import StaffTable

EXPORT_FILES = (
    ("pupils.csv", "pupils on roll and leavers, with their characteristics and attendance"),
    ("staff.csv", "staff with their codes and roles"),
    ("guardians.csv", "parents and carers, a row per child"),
    ("subjects.csv", "subjects, departments and grade scales"),
    ("points.csv", "assessment points and their windows"),
    ("groups.csv", "teaching groups and who is in them, every year"),
    ("grades.csv", "every grade entered"),
    ("targets.csv", "each pupil's target per subject"),
)


def _school(request):
    permissions.require(permissions.can_set_up_school(request.user))
    return permissions.school_for(request.user)


@login_required
def setup_home(request):
    school = _school(request)
    steps = setup_checklist(school)
    return render(
        request,
        "tracking/setup/checklist.html",
        {"steps": steps, "done": sum(s.done for s in steps), "total": len(steps)},
    )


@login_required
def setup_calendar(request):
    school = _school(request)
    year = AcademicYear.objects.filter(school=school, is_current=True).first()
    initial = {"years": list(YearGroup.objects.filter(school=school).values_list("number", flat=True))}
    if year:
        initial.update(name=year.name, starts_on=year.starts_on, ends_on=year.ends_on)
        for term in year.half_terms.all():
            initial[f"ht{term.number}_starts"], initial[f"ht{term.number}_ends"] = (
                term.starts_on,
                term.ends_on,
            )
    form = CalendarForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        calendar_save(
            school=school,
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            half_terms=data["half_terms"],
            year_numbers=data["years"],
            by=request.user,
        )
        messages.success(request, f"Saved the calendar for {data['name']}.")
        return redirect("setup_home")
    return render(request, "tracking/setup/calendar.html", {"form": form, "year": year})


@login_required
def setup_scales(request):
    school = _school(request)
    creating = request.method == "POST" and request.POST.get("action") == "create"
    form = ScaleForm(request.POST if creating else None, school=school)
    if creating and form.is_valid():
        scale = scale_create(school=school, by=request.user, **form.cleaned_data)
        messages.success(request, f"Added the scale {scale.name}.")
        return redirect("setup_scales")
    if request.method == "POST" and not creating:
        added = scales_install(school=school, by=request.user)
        if added:
            messages.success(request, f"Added {len(added)} standard scale{'s' if len(added) != 1 else ''}.")
        return redirect("setup_scales")
    scales = list(GradeScale.objects.filter(school=school).prefetch_related("values"))
    if fmt := exports.requested(request):
        rows = [_grade_row(v, scale=scale) for scale in scales for v in scale.values.all()]
        return exports.download(fmt, ["Scale", *GRADE_HEADERS], rows, name="grade scales", sheet="Scales")
    missing = [STANDARD_SCALES[code][0] for code in scales_missing(school)]
    return render(request, "tracking/setup/scales.html", {"scales": scales, "missing": missing, "form": form})


@login_required
def setup_subjects(request):
    school = _school(request)
    form = SubjectForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        subject = subject_save(
            school=school,
            subject=form.instance,
            department_name=form.cleaned_data["department_name"],
            by=request.user,
        )
        messages.success(request, f"Added {subject.name} ({subject.code}).")
        return redirect("setup_subjects")
    subjects = Subject.objects.filter(school=school).select_related("department", "scale", "ks3_scale")
    if fmt := exports.requested(request):
        headers = ["Subject", "Code", "Department", "Qualification", "Scale", "Scale in Years 7-9"]
        rows = [
            [
                s.name, s.code, str(s.department or ""), s.get_qualification_display(), str(s.scale),
                str(s.ks3_scale or ""),
            ]
            for s in subjects
        ]  # fmt: skip
        return exports.download(fmt, headers, rows, name="subjects", sheet="Subjects")
    return render(request, "tracking/setup/subjects.html", {"form": form, "subjects": subjects})


@login_required
def setup_subject(request, pk):
    subject = permissions.get_setup_object_or_404(request.user, Subject, pk)
    form = SubjectForm(request.POST or None, instance=subject, school=subject.school)
    if request.method == "POST" and form.is_valid():
        subject_save(
            school=subject.school,
            subject=form.instance,
            department_name=form.cleaned_data["department_name"],
            by=request.user,
        )
        messages.success(request, f"Saved {subject.name}.")
        return redirect("setup_subjects")
    return render(request, "tracking/setup/subject.html", {"form": form, "subject": subject})


GRADE_HEADERS = ["Grade", "Whole grade", "Other spellings", "Points"]


def _grade_row(value, scale=None):
    row = [value.code, value.step, value.aliases, value.points]
    return [scale.name, *row] if scale else row


def _collects(point):
    return (
        ("current", point.collects_current),
        ("predicted", point.collects_predicted),
        ("security", point.collects_security),
        ("effort", point.collects_effort),
        ("comment", point.collects_comment),
    )


def _current_year_or_redirect(request, school):
    year = AcademicYear.objects.filter(school=school, is_current=True).first()
    if year is None:
        messages.info(request, "Set the school year first: assessment points belong to it.")
    return year


@login_required
def setup_points(request):
    school = _school(request)
    year = _current_year_or_redirect(request, school)
    if year is None:
        return redirect("setup_calendar")
    form = PointForm(
        request.POST or None,
        school=school,
        academic_year=year,
        instance=AssessmentPoint(school=school, academic_year=year),
    )
    if request.method == "POST" and form.is_valid():
        point = point_save(school=school, point=form.instance, by=request.user)
        messages.success(request, f"Added {point.name}.")
        return redirect("setup_points")
    points = AssessmentPoint.objects.filter(academic_year=year).select_related("year_group", "half_term")
    if fmt := exports.requested(request):
        headers = ["Point", "Year", "Half term", "Window opens", "Window closes", "Collects"]
        rows = [
            [
                p.name, str(p.year_group), p.half_term.name if p.half_term else "", p.opens_on, p.closes_on,
                ", ".join(name for name, on in _collects(p) if on),
            ]
            for p in points
        ]  # fmt: skip
        return exports.download(fmt, headers, rows, name=f"assessment points {year.name}", sheet="Points")
    return render(request, "tracking/setup/points.html", {"form": form, "points": points, "year": year})


@login_required
def setup_point(request, pk):
    point = permissions.get_setup_object_or_404(request.user, AssessmentPoint, pk)
    form = PointForm(
        request.POST or None, instance=point, school=point.school, academic_year=point.academic_year
    )
    if request.method == "POST" and form.is_valid():
        point_save(school=point.school, point=form.instance, by=request.user)
        messages.success(request, f"Saved {point.name}.")
        return redirect("setup_points")
    return render(request, "tracking/setup/point.html", {"form": form, "point": point})


@login_required
def setup_school(request):
    """The school's own words and colours for standings, its thresholds and policy numbers."""
    school = _school(request)
    form = SchoolWordsForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        changed = school_settings_save(school=form.instance, by=request.user)
        messages.success(
            request,
            f"Saved {len(changed)} setting{'s' if len(changed) != 1 else ''}."
            if changed
            else "Nothing changed.",
        )
        return redirect("setup_school")
    samples = [
        standing.Standing(status=status, diff=diff)
        for status, diff in (
            (standing.ABOVE, 1),
            (standing.ON, 0),
            (standing.BELOW, -1),
            (standing.WELL_BELOW, -2),
        )
    ]
    return render(request, "tracking/setup/school.html", {"form": form, "school": school, "samples": samples})


@login_required
def setup_staff(request):
    """Everyone on the staff with their roles, to search, sort and export."""
    school = _school(request)
    staff = (
        Staff.objects.filter(school=school)
        .select_related("user")
        .prefetch_related("roles__department", "roles__year_group")
    )
    query = request.GET.get("q", "").strip()[:100]
    if query:
        staff = staff.filter(
            Q(user__first_name__icontains=query) | Q(user__last_name__icontains=query) | Q(code__iexact=query)
        )
    role = request.GET.get("role", "")
    if role in Role.values:
        staff = staff.filter(roles__role=role).distinct()
    table = StaffTable(staff)
    if fmt := exports.requested(request):
        return exports.table_download(request, table, fmt, name="staff")
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "tracking/setup/staff.html",
        {"table": table, "query": query, "role": role, "roles": Role.choices},
    )


@login_required
def setup_staff_member(request, pk):
    """One member of staff's roles: add one (scoped within the school), or take one away."""
    member = permissions.get_setup_object_or_404(request.user, Staff, pk)
    form = RoleForm(request.POST or None, instance=StaffRole(staff=member), school=member.school)
    if request.method == "POST" and form.is_valid():
        role = role_add(role=form.instance, by=request.user)
        messages.success(request, f"{member} is now {role}.")
        return redirect("setup_staff_member", pk=member.pk)
    roles = member.roles.select_related("department", "year_group")
    return render(
        request, "tracking/setup/staff_member.html", {"member": member, "roles": roles, "form": form}
    )


@login_required
def setup_role_remove(request, pk, role_pk):
    """Take a role away (POST only)."""
    permissions.require(request.method == "POST")
    member = permissions.get_setup_object_or_404(request.user, Staff, pk)
    role = get_object_or_404(StaffRole, pk=role_pk, staff=member)
    try:
        role_remove(role=role, by=request.user)
    except LastDataManager as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{member} is no longer {role}.")
    return redirect("setup_staff_member", pk=member.pk)


@login_required
def setup_scale(request, pk):
    """One scale: its name, and each grade's other spellings and points (codes and order stay)."""
    scale = permissions.get_setup_object_or_404(request.user, GradeScale, pk)
    values = GradeValue.objects.filter(scale=scale).order_by("-rank")
    form = ScaleNameForm(request.POST or None, instance=scale, prefix="scale")
    grades = GradeValueFormSet(request.POST or None, queryset=values, prefix="grades")
    if request.method == "POST" and form.is_valid() and grades.is_valid():
        changed = scale_edit(scale=form.instance, values=[g.instance for g in grades.forms], by=request.user)
        messages.success(request, f"Saved {scale.name}." if changed else "Nothing changed.")
        return redirect("setup_scales")
    if fmt := exports.requested(request):
        rows = [_grade_row(v) for v in values]
        return exports.download(fmt, GRADE_HEADERS, rows, name=scale.name, sheet="Grades")
    used = Subject.objects.filter(Q(scale=scale) | Q(ks3_scale=scale)).order_by("name")
    return render(
        request,
        "tracking/setup/scale.html",
        {"scale": scale, "form": form, "grades": grades, "subjects": used},
    )


@login_required
def setup_export(request):
    """The whole school as CSV files in one ZIP (POST downloads it; the export is audited)."""
    school = _school(request)
    if request.method == "POST":
        name, content = school_export(school=school, by=request.user)
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "tracking/setup/export.html", {"school": school, "files": EXPORT_FILES})
