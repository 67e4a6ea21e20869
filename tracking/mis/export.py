"""The whole-school export, for a school moving to another system (or keeping its own copy).

One ZIP of CSV files whose headers are the ones Uplift's own imports read, so the files go straight
into another Uplift, and any MIS can map them. Rows are streamed from the database a chunk at a time,
so a large school's grades never sit in memory at once. The export is audited.
"""

import csv
import io
import tempfile
import zipfile

from django.utils import timezone

from tracking import audit
from tracking.lib.exports import safe_cell
from tracking.models import (
    AssessmentPoint,
    GradeEntry,
    GuardianLink,
    Pupil,
    Staff,
    Subject,
    Target,
    TeachingGroup,
)

README = """Whole-school export from Uplift: {school}, made {when} by {by}.

Each CSV file's first row names its columns as Uplift's imports read them (Set-up > Imports), so
pupils.csv, staff.csv, guardians.csv, groups.csv and grades.csv import into another Uplift as they are.
Pupils whose records were anonymised under the retention policy are left out.

subjects.csv  subjects, their departments, qualifications and grade scales
points.csv    assessment points and their windows, by academic year
pupils.csv    pupils on roll and leavers, with their characteristics and attendance
staff.csv     staff with their staff codes and roles
guardians.csv parents and carers, one row per child
groups.csv    teaching groups, one row per pupil (and teachers by staff code), by academic year
grades.csv    every grade entered, one row per pupil, subject and assessment point
targets.csv   each pupil's target per subject (the published grade families see, and its status)
"""

CHUNK = 5000
YES = {True: "Yes", False: "No"}


def _yes(value):
    return YES.get(value, "")


def _pupils(school):
    yield (
        "UPN", "Surname", "Forename", "Preferred surname", "Preferred forename", "Date of birth", "Sex",
        "Year", "Form", "SEN", "SEN need", "EAL", "Pupil premium", "Looked after", "Attendance %", "On roll",
        "Left on",
    )  # fmt: skip
    rows = (
        Pupil.objects.filter(school=school, anonymised_at__isnull=True)
        .order_by("year_group__number", "legal_last_name", "legal_first_name", "pk")
        .values_list(
            "upn",
            "legal_last_name",
            "legal_first_name",
            "preferred_last_name",
            "preferred_first_name",
            "date_of_birth",
            "gender",
            "year_group__number",
            "form__name",
            "sen_status",
            "sen_need",
            "eal",
            "disadvantaged",
            "looked_after",
            "attendance",
            "is_active",
            "left_on",
        )  # fmt: skip
    )
    for row in rows.iterator(chunk_size=CHUNK):
        *head, eal, disadvantaged, looked_after, attendance, active, left_on = row
        yield (*head, _yes(eal), _yes(disadvantaged), _yes(looked_after), attendance, _yes(active), left_on)


def _staff(school):
    yield ("Staff code", "Surname", "Forename", "Title", "Email", "Initials", "Roles")
    staff = (
        Staff.objects.filter(school=school)
        .select_related("user")
        .prefetch_related("roles__department", "roles__year_group")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    for member in staff:
        user = member.user
        roles = "; ".join(str(role) for role in member.roles.all())
        yield (member.code, user.last_name, user.first_name, member.title, user.email, member.initials, roles)


def _guardians(school):
    yield ("UPN", "Contact surname", "Contact forename", "Email", "Relationship")
    links = (
        GuardianLink.objects.filter(pupil__school=school, pupil__anonymised_at__isnull=True)
        .order_by("pupil__legal_last_name", "pupil__upn", "pk")
        .values_list(
            "pupil__upn",
            "guardian__user__last_name",
            "guardian__user__first_name",
            "guardian__user__email",
            "relationship",
        )  # fmt: skip
    )
    yield from links.iterator(chunk_size=CHUNK)


def _groups(school):
    yield ("Academic year", "Class", "Subject code", "Year", "UPN", "Teacher codes")
    groups = (
        TeachingGroup.objects.filter(school=school)
        .select_related("academic_year", "subject", "year_group")
        .prefetch_related("teachers")
        .order_by("-academic_year__starts_on", "name", "pk")
    )
    members = {}
    for group_id, upn in (
        TeachingGroup.pupils.through.objects.filter(
            teachinggroup__school=school, pupil__anonymised_at__isnull=True
        )
        .order_by("pupil__legal_last_name", "pupil__upn")
        .values_list("teachinggroup_id", "pupil__upn")
        .iterator(chunk_size=CHUNK)
    ):
        members.setdefault(group_id, []).append(upn)
    for group in groups:
        teachers = " ".join(sorted(t.code for t in group.teachers.all() if t.code))
        head = (group.academic_year.name, group.name, group.subject.code, group.year_group.number)
        for upn in members.get(group.pk) or [""]:
            yield (*head, upn, teachers)


def _grades(school):
    yield (
        "UPN", "Subject code", "Assessment point", "Academic year", "Current grade", "Predicted grade",
        "Security", "Effort", "Comment",
    )  # fmt: skip
    rows = (
        GradeEntry.objects.filter(school=school, pupil__anonymised_at__isnull=True)
        .order_by("point__academic_year__starts_on", "point__sequence", "point_id", "pupil_id", "subject_id")
        .values_list(
            "pupil__upn",
            "subject__code",
            "point__name",
            "point__academic_year__name",
            "current__code",
            "predicted__code",
            "security",
            "effort",
            "comment",
        )  # fmt: skip
    )
    yield from rows.iterator(chunk_size=CHUNK)


def _targets(school):
    yield ("UPN", "Subject code", "Target", "Published target", "Status", "Source")
    rows = (
        Target.objects.filter(school=school, pupil__anonymised_at__isnull=True)
        .order_by("pupil__upn", "subject__code")
        .values_list(
            "pupil__upn", "subject__code", "grade__code", "published_grade__code", "status", "source"
        )
    )
    yield from rows.iterator(chunk_size=CHUNK)


def _subjects(school):
    yield ("Subject code", "Subject", "Department", "Qualification", "Scale", "Years 7-9 scale")
    rows = (
        Subject.objects.filter(school=school)
        .order_by("name")
        .values_list("code", "name", "department__name", "qualification", "scale__name", "ks3_scale__name")
    )
    yield from rows


def _points(school):
    yield ("Academic year", "Year", "Assessment point", "Order", "Window opens", "Window closes", "Locked")
    rows = (
        AssessmentPoint.objects.filter(school=school)
        .order_by("-academic_year__starts_on", "year_group__number", "sequence")
        .values_list(
            "academic_year__name",
            "year_group__number",
            "name",
            "sequence",
            "opens_on",
            "closes_on",
            "is_locked",
        )
    )
    for *head, locked in rows:
        yield (*head, _yes(locked))


FILES = (
    ("subjects.csv", _subjects),
    ("points.csv", _points),
    ("pupils.csv", _pupils),
    ("staff.csv", _staff),
    ("guardians.csv", _guardians),
    ("groups.csv", _groups),
    ("grades.csv", _grades),
    ("targets.csv", _targets),
)


def _write_csv(archive, name, rows):
    """Stream rows into one member of the ZIP; returns how many data rows (the header not counted)."""
    count = -1
    with (
        archive.open(name, "w") as member,
        io.TextIOWrapper(member, encoding="utf-8-sig", newline="") as text,
    ):
        writer = csv.writer(text)
        for row in rows:
            writer.writerow([safe_cell("" if value is None else value) for value in row])
            count += 1
    return count


def school_export(*, school, by):
    """(file name, ZIP bytes) for the school; the export is audited. The CSVs are written to disk past
    a few MB while the ZIP is made, so only the compressed result is held in memory."""
    now = timezone.localtime()
    counts = {}
    with (
        tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool,
        zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        archive.writestr(
            "README.txt", README.format(school=school.name, when=f"{now:%d %B %Y %H:%M}", by=by.display_name)
        )
        for name, rows in FILES:
            counts[name.removesuffix(".csv")] = _write_csv(archive, name, rows(school))
        archive.close()
        spool.seek(0)
        content = spool.read()
    audit.record(
        action="tracking.school.exported", obj=school, by=by, after=counts, via="export", school=school
    )
    return f"{school.slug}-uplift-export-{now:%Y-%m-%d}.zip", content
