"""Setting a school up without the admin: its calendar and year groups, grade scales, subjects and
departments, and assessment points. Every change is atomic and audited."""

from django.db import transaction

from tracking import audit
from tracking.lib.scales import STANDARD_SCALES
from tracking.models import AcademicYear, Department, GradeScale, GradeValue, HalfTerm, YearGroup

HALF_TERMS = ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2")


def _dates(obj, *names):
    return {name: str(getattr(obj, name)) for name in names}


@transaction.atomic
def calendar_save(*, school, name, starts_on, ends_on, half_terms, year_numbers, by):
    """The current academic year with its half terms, and the year groups the school teaches.

    `half_terms` is [(number, starts_on, ends_on)]; year groups are added, never removed (pupils and
    classes hang off them)."""
    year = AcademicYear.objects.select_for_update().filter(school=school, is_current=True).first()
    before = _dates(year, "name", "starts_on", "ends_on") if year else {}
    if year is None:
        year = AcademicYear(school=school, is_current=True)
    year.name, year.starts_on, year.ends_on = name, starts_on, ends_on
    year.save()
    for number, starts, ends in half_terms:
        HalfTerm.objects.update_or_create(
            academic_year=year,
            number=number,
            defaults={"name": HALF_TERMS[number - 1], "starts_on": starts, "ends_on": ends},
        )
    have = set(YearGroup.objects.filter(school=school).values_list("number", flat=True))
    added = sorted(set(year_numbers) - have)
    YearGroup.objects.bulk_create([YearGroup(school=school, number=n) for n in added])
    audit.record(
        action="tracking.calendar.changed",
        obj=year,
        by=by,
        before=before,
        after={
            **_dates(year, "name", "starts_on", "ends_on"),
            "half_terms": [[n, str(s), str(e)] for n, s, e in half_terms],
            "year_groups_added": added,
        },
        via="set-up",
    )
    return year


def scales_missing(school):
    """Codes of the standard scales the school does not have."""
    have = set(GradeScale.objects.filter(school=school).values_list("code", flat=True))
    return [code for code in STANDARD_SCALES if code not in have]


@transaction.atomic
def scales_install(*, school, by):
    """Add the standard scales (GCSE 9-1, A level, BTEC, KS3, 1-10) the school does not have yet."""
    missing = scales_missing(school)
    if not missing:
        return []
    values = []
    for code in missing:
        name, rows = STANDARD_SCALES[code]
        scale = GradeScale.objects.create(school=school, name=name, code=code)
        values += [
            GradeValue(scale=scale, code=value, rank=rank, step=step, points=points, aliases=aliases)
            for value, rank, step, points, aliases in rows
        ]
    GradeValue.objects.bulk_create(values)
    audit.record(
        action="tracking.scales.installed",
        obj=school,
        by=by,
        after={"scales": missing},
        via="set-up",
        school=school,
    )
    return missing


@transaction.atomic
def scale_create(*, school, name, code, grades, by):
    """A school's own scale from its grades, highest first: [(code, aliases)]. Each is a whole grade."""
    scale = GradeScale.objects.create(school=school, name=name, code=code)
    count = len(grades)
    GradeValue.objects.bulk_create(
        GradeValue(scale=scale, code=grade, rank=count - i, step=count - i, points=count - i, aliases=aliases)
        for i, (grade, aliases) in enumerate(grades)
    )
    audit.record(
        action="tracking.scale.created",
        obj=scale,
        by=by,
        after={"name": name, "code": code, "grades": [g for g, _a in grades]},
        via="set-up",
    )
    return scale


def _values(obj, names):
    return {name: str(getattr(obj, name)) if getattr(obj, name) is not None else "" for name in names}


SUBJECT_FIELDS = ("name", "code", "department", "qualification", "category", "scale", "ks3_scale")
POINT_FIELDS = (
    "name",
    "year_group",
    "sequence",
    "half_term",
    "opens_on",
    "closes_on",
    "collects_current",
    "collects_predicted",
    "collects_security",
    "collects_effort",
    "collects_comment",
)


@transaction.atomic
def subject_save(*, school, subject, department_name, by):
    """Save a subject (new or changed) in its department, made if the school does not have it yet."""
    creating = subject.pk is None
    before = {} if creating else _values(type(subject).objects.get(pk=subject.pk), SUBJECT_FIELDS)
    subject.school = school
    subject.department, _ = Department.objects.get_or_create(school=school, name=department_name.strip())
    subject.save()
    audit.record(
        action="tracking.subject.created" if creating else "tracking.subject.changed",
        obj=subject,
        by=by,
        before=before,
        after=_values(subject, SUBJECT_FIELDS),
        via="set-up",
    )
    return subject


@transaction.atomic
def point_save(*, school, point, by):
    """Save an assessment point (new or changed) in the current academic year."""
    creating = point.pk is None
    before = {} if creating else _values(type(point).objects.get(pk=point.pk), POINT_FIELDS)
    point.school = school
    point.save()
    audit.record(
        action="tracking.point.created" if creating else "tracking.point.changed",
        obj=point,
        by=by,
        before=before,
        after=_values(point, POINT_FIELDS),
        via="set-up",
    )
    return point
