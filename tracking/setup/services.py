"""Setting a school up without the admin: its calendar and year groups, grade scales, subjects and
departments, and assessment points. Every change is atomic and audited."""

from django.db import transaction

from tracking import audit
from tracking.lib.errors import DomainError
from tracking.lib.scales import STANDARD_SCALES
from tracking.models import (
    AcademicYear,
    Department,
    GradeScale,
    GradeValue,
    HalfTerm,
    Role,
    StaffRole,
    YearGroup,
)

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


SCHOOL_SETTINGS = (
    *(f"label_{s}" for s in ("above", "on", "below", "well_below")),
    *(f"colour_{s}" for s in ("above", "on", "below", "well_below")),
    "above_by",
    "below_by",
    "well_below_by",
    "floor_scale_code",
    "floor_step",
    "fsm_ever_years",
    "retention_years",
)


@transaction.atomic
def school_settings_save(*, school, by):
    """Save the school's words, colours and thresholds (already set on `school` by its form).

    Returns the names of the settings that changed; nothing is written or audited when none did."""
    before = _values(type(school).objects.select_for_update().get(pk=school.pk), SCHOOL_SETTINGS)
    after = _values(school, SCHOOL_SETTINGS)
    changed = [name for name in SCHOOL_SETTINGS if before[name] != after[name]]
    if not changed:
        return []
    school.save(update_fields=changed)
    audit.record(
        action="tracking.school.settings_changed",
        obj=school,
        by=by,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
        via="set-up",
        school=school,
    )
    return changed


class LastDataManager(DomainError):
    """Removing this role would leave the school with no data manager to set it up."""

    def __init__(self, message):
        super().__init__("last_data_manager", message)


def _role_values(role):
    return {
        "staff": str(role.staff),
        "role": role.role,
        "department": str(role.department or ""),
        "year_group": str(role.year_group or ""),
        "key_stage": role.key_stage or "",
    }


@transaction.atomic
def role_add(*, role, by):
    """Give a member of staff a role (validated by its form: scope in the same school)."""
    role.save()
    audit.record(
        action="tracking.staffrole.added",
        obj=role,
        by=by,
        after=_role_values(role),
        via="set-up",
        school_id=role.staff.school_id,
    )
    return role


@transaction.atomic
def role_remove(*, role, by):
    """Take a role away. The school's last data manager keeps theirs: someone must be able to set up."""
    if role.role == Role.DATA_MANAGER:
        managers = StaffRole.objects.select_for_update().filter(
            staff__school_id=role.staff.school_id, role=Role.DATA_MANAGER, staff__user__is_active=True
        )
        if not managers.exclude(pk=role.pk).exists():
            raise LastDataManager(
                "The school's only data manager keeps the role: give it to someone else first."
            )
    values = _role_values(role)
    role.delete()
    audit.record(
        action="tracking.staffrole.deleted",
        obj=role.staff,
        by=by,
        before=values,
        via="set-up",
        school_id=role.staff.school_id,
    )


@transaction.atomic
def scale_edit(*, scale, values, by):
    """Save a scale's name and its grades' other spellings and points (set on the objects by their
    forms). Audited once, with what changed; nothing is written when nothing did."""
    before_scale = GradeScale.objects.select_for_update().get(pk=scale.pk)
    stored = {v.pk: v for v in GradeValue.objects.filter(scale=scale)}
    before, after = {}, {}
    if before_scale.name != scale.name:
        before["name"], after["name"] = before_scale.name, scale.name
        scale.save(update_fields=["name"])
    changed = []
    for value in values:
        old = stored.get(value.pk)  # a hostile form may name another scale's grade, or a new one
        if old is not None and (old.aliases, old.points) != (value.aliases, value.points):
            before[value.code] = {"aliases": old.aliases, "points": str(old.points)}
            after[value.code] = {"aliases": value.aliases, "points": str(value.points)}
            old.aliases, old.points = value.aliases, value.points
            changed.append(old)
    GradeValue.objects.bulk_update(changed, ["aliases", "points"])
    if after:
        audit.record(
            action="tracking.scale.changed", obj=scale, by=by, before=before, after=after, via="set-up"
        )
    return sorted(after)
