"""Reads for mentor allocation: the mentored year groups, caseloads and who is still unallocated."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery

from tracking import permissions
from tracking.models import AcademicYear, FormGroup, Pupil, Role, Staff, YearGroup
from tracking.school.queries import staff_builder, staff_columns

from .models import MentorAssignment, MentoringSettings, MentoringSlip, MentorMeeting

# What a pupil's name is made of (Pupil.sorted_name): a row built from these columns can be named.
NAME_FIELDS = ("legal_first_name", "legal_last_name", "preferred_first_name", "preferred_last_name")

DEFAULT_MENTORED_YEARS = (11,)


def current_year(school):
    return AcademicYear.objects.filter(school=school, is_current=True).first()


def mentored_year_groups(school):
    """The school's mentored year groups; Year 11 until SLT choose otherwise."""
    settings = MentoringSettings.objects.filter(school=school).first()
    if settings is not None:
        return settings.year_groups.order_by("number")
    return YearGroup.objects.filter(school=school, number__in=DEFAULT_MENTORED_YEARS).order_by("number")


def mentors_for(school):
    """Staff who may be given mentees: those holding the mentor role at the school."""
    return (
        Staff.objects.filter(school=school, roles__role=Role.MENTOR)
        .distinct()
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def caseloads(school, year):
    """Every mentor (and anyone still holding mentees) with their number of mentees this year."""
    in_year = Q(mentees__academic_year=year)
    return (
        Staff.objects.filter(school=school)
        .filter(Q(roles__role=Role.MENTOR) | in_year)
        .distinct()
        .annotate(caseload=Count("mentees", filter=in_year, distinct=True))
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def mentees_of(mentor, year):
    """One mentor's mentees this year, by form then name."""
    return (
        Pupil.objects.filter(mentor_assignments__mentor=mentor, mentor_assignments__academic_year=year)
        .select_related("year_group", "form")
        .order_by("year_group__number", "form__name", "legal_last_name", "legal_first_name")
    )


def unallocated_pupils(school, year, year_groups, form=None):
    """Pupils on roll in the mentored year groups with no mentor this year."""
    assigned = MentorAssignment.objects.filter(academic_year=year, pupil=OuterRef("pk"))
    qs = Pupil.objects.filter(school=school, is_active=True, year_group__in=year_groups).filter(
        ~Exists(assigned)
    )
    if form is not None:
        qs = qs.filter(form=form)
    return qs.select_related("year_group", "form").order_by(
        "year_group__number", "form__name", "legal_last_name", "legal_first_name"
    )


def allocation_export(school, year, year_groups, form=None):
    """(headers, rows) of the allocation page: every mentor with each mentee (a mentor without any has
    one row), then the pupils in the mentored years (in `form`, when chosen) still without a mentor."""
    headers = ["Mentor", "Caseload", "Pupil", "UPN", "Year", "Form"]

    def pupil_cells(p):
        return [p.sorted_name, p.upn, p.year_group.number, p.form.name if p.form else ""]

    by_mentor = {}
    assignments = (
        MentorAssignment.objects.filter(school=school, academic_year=year)
        .select_related("pupil__year_group", "pupil__form")
        .order_by("pupil__year_group__number", "pupil__form__name", "pupil__legal_last_name", "pupil__pk")
    )
    for a in assignments:
        by_mentor.setdefault(a.mentor_id, []).append(a.pupil)
    rows = []
    for mentor in caseloads(school, year):
        lead = [str(mentor), mentor.caseload]
        rows += [lead + pupil_cells(p) for p in by_mentor.get(mentor.pk, [])] or [lead + ["", "", None, ""]]
    rows += [
        ["No mentor", None, *pupil_cells(p)] for p in unallocated_pupils(school, year, year_groups, form)
    ]
    return headers, rows


def mentored_forms(school, year, year_groups):
    return FormGroup.objects.filter(school=school, academic_year=year, year_group__in=year_groups).order_by(
        "year_group__number", "name"
    )


def mentor_of(pupil, year):
    """The pupil's mentor this year (None without one)."""
    assignment = (
        MentorAssignment.objects.filter(academic_year=year, pupil=pupil)
        .select_related("mentor__user")
        .first()
    )
    return assignment.mentor if assignment else None


def meetings_of(pupil):
    """Every meeting logged with a pupil, newest first."""
    return (
        MentorMeeting.objects.filter(pupil=pupil)
        .select_related("mentor__user")
        .prefetch_related("slips__subject", "slips__sent_by__user")
    )


def _in_model_order(model, names):
    order = {f.attname: i for i, f in enumerate(model._meta.concrete_fields)}
    return sorted(names, key=order.__getitem__)


ASSIGNMENT_FIELDS = _in_model_order(MentorAssignment, ["id", "mentor_id", "pupil_id"])


@dataclass(frozen=True, slots=True)
class NotMet:
    """A mentee not met this month, as the compliance table and its download name them."""

    pupil_id: int
    name: str  # Pupil.sorted_name
    upn: str
    form: str  # the form's name, "" without one
    last_met: date | None


def compliance(school, year, today):
    """Each mentor with their mentees this year and, of those, the ones not met this calendar month
    (NotMet rows).

    One query: every mentee with the date they were last met, as plain columns, each mentor built once.
    The date is each mentee's latest meeting by the meetings' (pupil, date) index, not a join grouped
    by the row's thirty columns; the mentees not met are plain rows, not three model objects each
    (a school's mentees are some 1,200).
    """
    start = today.replace(day=1)
    last_met = (
        MentorMeeting.objects.filter(pupil_id=OuterRef("pupil_id"))
        .order_by()
        .values("pupil_id")
        .annotate(last=Max("held_on"))
        .values("last")
    )
    rows = (
        MentorAssignment.objects.filter(school=school, academic_year=year, pupil__is_active=True)
        .annotate(last_met=Subquery(last_met))
        .order_by(
            "mentor__user__last_name",
            "mentor__user__first_name",
            "mentor_id",
            "pupil__legal_last_name",
            "pupil__legal_first_name",
            "pupil_id",
        )
        .values_list(
            "last_met",
            "pupil_id",
            "pupil__upn",
            "pupil__form__name",
            *(f"pupil__{name}" for name in Pupil.SORTED_NAME_FIELDS),
            *staff_columns("mentor__"),
        )
    )
    mentor_of, mentors, n = staff_builder(rows.db), {}, 4 + len(Pupil.SORTED_NAME_FIELDS)
    for last_met, pupil_id, upn, form, *values in rows:
        mentor = mentor_of(values[n - 4 :])
        row = mentors.setdefault(mentor.pk, {"mentor": mentor, "mentees": 0, "not_met": []})
        row["mentees"] += 1
        if last_met is None or last_met < start:
            name = Pupil.sorted_name_of(*values[: n - 4])
            row["not_met"].append(NotMet(pupil_id, name, upn, form or "", last_met))
    return list(mentors.values())


def slip_pupils(user, school):
    """Pupils a teacher may send a slip about: those they teach in the mentored year groups."""
    return (
        permissions.pupils_taught_by(user)
        .filter(school=school, year_group__in=mentored_year_groups(school))
        .select_related("form", "year_group")
        .order_by("form__name", "legal_last_name", "legal_first_name")
    )


def _slips():
    return MentoringSlip.objects.select_related(
        "pupil__form", "subject", "sent_by__user", "mentor__user", "meeting"
    )


def inbox(mentor):
    """Slips sent to a mentor: waiting ones first, newest first."""
    return _slips().filter(mentor=mentor).order_by(F("discussed_at").asc(nulls_first=True), "-sent_at", "-pk")


def slips_sent(staff):
    return _slips().filter(sent_by=staff).order_by("-sent_at", "-pk")


def slips_about(pupil):
    return _slips().filter(pupil=pupil).order_by("-sent_at", "-pk")


def open_slips(pupil, mentor):
    return _slips().filter(pupil=pupil, mentor=mentor, discussed_at__isnull=True).order_by("sent_at", "pk")
