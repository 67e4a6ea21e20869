"""The first-run checklist: what a school still needs before its first data uplift, in the order to do it."""

from dataclasses import dataclass

from django.urls import reverse

from tracking.models import (
    AcademicYear,
    AssessmentPoint,
    GradeValue,
    HalfTerm,
    Pupil,
    Role,
    Staff,
    StaffRole,
    Subject,
    Target,
    TeachingGroup,
    YearGroup,
)


@dataclass(frozen=True)
class Step:
    title: str
    done: bool
    detail: str
    url: str
    action: str


def _count(queryset):
    return queryset.count()


def setup_checklist(school):
    """Each step with whether it is done and where to do it. A fixed handful of counting queries."""
    year = AcademicYear.objects.filter(school=school, is_current=True).first()
    half_terms = _count(HalfTerm.objects.filter(academic_year=year)) if year else 0
    years = _count(YearGroup.objects.filter(school=school))
    grades = _count(GradeValue.objects.filter(scale__school=school))
    subjects = _count(Subject.objects.filter(school=school))
    staff = _count(Staff.objects.filter(school=school).exclude(code=""))
    leads = set(
        StaffRole.objects.filter(staff__school=school, role__in=(Role.SLT, Role.HEAD_OF_DEPARTMENT))
        .values_list("role", flat=True)
        .distinct()
    )
    pupils = _count(Pupil.objects.filter(school=school, is_active=True))
    groups = _count(TeachingGroup.objects.filter(academic_year=year)) if year else 0
    points = _count(AssessmentPoint.objects.filter(academic_year=year)) if year else 0
    targets = _count(Target.objects.filter(school=school))
    upload = lambda kind: reverse("import_upload", args=[kind])  # noqa: E731
    return [
        Step(
            "The school year and its year groups",
            bool(year and half_terms and years),
            f"{year.name}: {half_terms} of 6 half terms, {years} year groups"
            if year
            else "No academic year yet",
            reverse("setup_calendar"),
            "Set the calendar",
        ),
        Step(
            "Grade scales",
            grades > 0,
            f"{grades} grades on the school's scales" if grades else "No scales yet",
            reverse("setup_scales"),
            "See the scales",
        ),
        Step(
            "Subjects and departments",
            subjects > 0,
            f"{subjects} subjects" if subjects else "No subjects yet",
            reverse("setup_subjects"),
            "Add subjects",
        ),
        Step(
            "Staff, with their staff codes",
            staff > 0,
            f"{staff} members of staff with a code" if staff else "No staff imported yet",
            upload("staff"),
            "Import staff",
        ),
        Step(
            "Roles: senior leaders and heads of department",
            leads == {Role.SLT, Role.HEAD_OF_DEPARTMENT},
            "Senior leaders and heads of department have their roles"
            if len(leads) == 2
            else "Nobody has a senior leader's or head of department's role yet"
            if not leads
            else f"Nobody has a {'head of department' if Role.SLT in leads else 'senior leader'}'s role yet",
            reverse("setup_staff"),
            "Give roles",
        ),
        Step(
            "Pupils",
            pupils > 0,
            f"{pupils} pupils on the roll" if pupils else "No pupils yet",
            upload("pupils"),
            "Import pupils",
        ),
        Step(
            "Classes and their pupils",
            groups > 0,
            f"{groups} classes this year" if groups else "No classes this year yet",
            upload("groups"),
            "Import classes",
        ),
        Step(
            "Assessment points and their windows",
            points > 0,
            f"{points} assessment points this year" if points else "No assessment points this year yet",
            reverse("setup_points"),
            "Add assessment points",
        ),
        Step(
            "Targets",
            targets > 0,
            f"{targets} targets" if targets else "No targets yet",
            reverse("target_generate"),
            "Generate targets",
        ),
    ]
