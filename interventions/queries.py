"""Reads for the rules, the flag pages and the impact report, with their joins in one place."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from tracking import standing
from tracking.models import AcademicYear, AssessmentPoint, GradeEntry, GradeValue, Pupil, Subject, Target

from .models import InterventionSettings, Rule
from .rules import PupilFacts, RuleSpec, SubjectFact


@dataclass
class PointData:
    """Everything the rules need for one assessment point, fetched in a fixed number of queries."""

    point: AssessmentPoint
    facts: list  # [PupilFacts]
    pupils: dict  # pupil id -> (form id, year group id)
    subjects: dict  # subject id -> (name, department id)


def point_data(point):
    """The facts the rules judge at a point: each pupil's grade that counts in each subject and the
    grade expected now (which the rules judge against) and the published target (for the words), all
    from tracking.standing, in a fixed number of queries."""
    school_id = point.school_id
    book = standing.Book(point.school)
    subjects = {
        pk: (name, dept)
        for pk, name, dept in Subject.objects.filter(school_id=school_id).values_list(
            "id", "name", "department_id"
        )
    }
    pupils = {
        pk: (form_id, year_group_id)
        for pk, form_id, year_group_id in point_pupils(point).values_list("id", "form_id", "year_group_id")
    }
    entries = standing.annotate_standing(
        GradeEntry.objects.filter(point=point, pupil_id__in=list(pupils)), book.thresholds
    ).values_list(
        "pupil_id",
        "subject_id",
        "counting_code",
        "counting_step",
        "counting_scale_code",
        "target_scale",
        "expected_step",
        "standing_diff",
        "target_code",
    )
    by_pupil = defaultdict(list)
    for pupil_id, subject_id, code, step, scale, target_scale, expected_step, diff, target_code in entries:
        if step is None:
            continue
        # Judged only where standing.py judges (a published target on the grade's own scale).
        expected = (
            standing.grade_at_step(book.values(target_scale), expected_step) if diff is not None else None
        )
        by_pupil[pupil_id].append(
            SubjectFact(
                subject_id=subject_id,
                subject_name=subjects[subject_id][0],
                scale=scale,
                grade_code=code,
                grade_step=step,
                expected_code=expected.code if expected else None,
                expected_step=expected_step if expected else None,
                target_code=target_code if expected else None,
            )
        )
    key_stage = point.year_group.key_stage
    facts = [PupilFacts(pupil_id, key_stage, tuple(by_pupil[pupil_id])) for pupil_id in pupils]
    return PointData(point=point, facts=facts, pupils=pupils, subjects=subjects)


def point_pupils(point):
    """The pupils a point judges: its year group's pupils that year. Pupils move up a year group each
    September, so a point of an earlier year judges the pupils now that many years further on (last
    summer's Year 8 point judges this year's Year 9)."""
    pupils = Pupil.objects.filter(school_id=point.school_id, is_active=True)
    year = point.academic_year
    if year.is_current:
        return pupils.filter(year_group_id=point.year_group_id)
    current = AcademicYear.objects.filter(school_id=point.school_id, is_current=True).first()
    years_on = current.starts_on.year - year.starts_on.year if current else 0
    return pupils.filter(year_group__number=point.year_group.number + years_on)


def active_rules(school):
    """The active preset's rules as (Rule, RuleSpec) pairs, thresholds resolved to grade steps."""
    settings = InterventionSettings.objects.filter(school=school).select_related("active_preset").first()
    if settings is None or settings.active_preset is None:
        return []
    steps = {
        (scale, code): step
        for scale, code, step in GradeValue.objects.filter(scale__school=school).values_list(
            "scale__code", "code", "step"
        )
    }
    pairs = []
    for rule in Rule.objects.filter(preset=settings.active_preset, is_active=True):
        thresholds = {
            scale: (steps[(scale, code)], code)
            for scale, code in rule.grade_thresholds.items()
            if (scale, code) in steps
        }
        spec = RuleSpec(
            id=rule.pk,
            scope=rule.scope,
            kind=rule.kind,
            key_stages=rule.key_stages,
            n=rule.n,
            thresholds=thresholds,
            bands=tuple((low, high, level) for low, high, level in rule.bands),
            level=rule.level,
            reason_template=rule.reason_template,
            grades=rule.grades_below,
        )
        pairs.append((rule, spec))
    return pairs


def next_point(point):
    """The year group's next assessment point in the same academic year, if any."""
    return (
        AssessmentPoint.objects.filter(
            academic_year_id=point.academic_year_id,
            year_group_id=point.year_group_id,
            sequence__gt=point.sequence,
        )
        .order_by("sequence")
        .first()
    )


def next_locked_points(points):
    """{point id: next_locked_point(point)} for several points (each with its academic year and year
    group loaded), from one query of the school's locked points."""
    points = list(points)
    if not points:
        return {}
    locked = list(
        AssessmentPoint.objects.filter(school_id=points[0].school_id, is_locked=True).select_related(
            "academic_year", "year_group"
        )
    )
    out = {}
    for point in points:
        same_year = [
            p
            for p in locked
            if p.academic_year_id == point.academic_year_id
            and p.year_group_id == point.year_group_id
            and p.sequence > point.sequence
        ]
        if not same_year:
            same_year = [
                p
                for p in locked
                if p.school_id == point.school_id
                and p.academic_year.starts_on.year == point.academic_year.starts_on.year + 1
                and p.year_group.number == point.year_group.number + 1
            ]
        out[point.pk] = min(same_year, key=lambda p: (p.sequence, p.pk)) if same_year else None
    return out


def next_locked_point(point):
    """The first locked point (its grades verified or being verified) after `point` for the same pupils:
    later in the same year, or else in the next year, of the year group they moved up to. A window still
    open for entry never counts: its grades are half-entered and unchecked."""
    same_year = (
        AssessmentPoint.objects.filter(
            academic_year_id=point.academic_year_id,
            year_group_id=point.year_group_id,
            sequence__gt=point.sequence,
            is_locked=True,
        )
        .order_by("sequence")
        .first()
    )
    if same_year is not None:
        return same_year
    return (
        AssessmentPoint.objects.filter(
            school_id=point.school_id,
            academic_year__starts_on__year=point.academic_year.starts_on.year + 1,
            year_group__number=point.year_group.number + 1,
            is_locked=True,
        )
        .order_by("sequence")
        .first()
    )


def points_waiting_for(point):
    """Earlier points of the same pupils (this year and last) with flags not yet measured: once `point`
    is locked it may be the later point they were waiting for."""
    from .models import Flag, Outcome

    starts = point.academic_year.starts_on.year
    earlier = Q(academic_year_id=point.academic_year_id, year_group_id=point.year_group_id) & Q(
        sequence__lt=point.sequence
    )
    last_year = Q(academic_year__starts_on__year=starts - 1, year_group__number=point.year_group.number - 1)
    waiting = Flag.objects.filter(outcome__in=["", Outcome.NO_DATA]).values("point_id")
    return list(
        AssessmentPoint.objects.filter(earlier | last_year, school_id=point.school_id, pk__in=waiting)
        .select_related("academic_year", "year_group", "school")
        .order_by("academic_year__starts_on", "sequence")
    )


def grades_by_pupil_subject(point, pupil_ids):
    """{(pupil id, subject id): (code, points)} of the grade that counts at a point (tracking.standing)."""
    book = standing.Book(point.school)
    rows = GradeEntry.objects.filter(point=point, pupil_id__in=pupil_ids).values_list(
        "pupil_id", "subject_id", "current_id", "predicted_id"
    )
    grades = {}
    for pupil_id, subject_id, current_id, predicted_id in rows:
        grade = standing.counting_grade(point, book.value(current_id), book.value(predicted_id))
        if grade is not None:
            grades[(pupil_id, subject_id)] = (grade.code, grade.points)
    return grades


def subjects_studied(pupil):
    """Subjects a pupil has a target in or is taught this year: what a hand-raised flag may be about."""
    taught = pupil.teaching_groups.filter(academic_year__is_current=True).values("subject_id")
    targeted = Target.objects.filter(pupil=pupil).values("subject_id")
    return (
        Subject.objects.filter(school_id=pupil.school_id)
        .filter(Q(pk__in=taught) | Q(pk__in=targeted))
        .order_by("name")
    )


def flag_list(queryset):
    return queryset.select_related(
        "pupil__year_group", "pupil__form", "subject", "owner__user", "point__academic_year"
    ).order_by("status", "-level", "-raised_at", "pk")


def read_page_through_ids(table, rows):
    """Read a paginated table's page as `rows` (the model with the relations the table shows) whose ids
    the page's own query picks, in its filters and order, as a subquery: still one query, but the
    database plans the access scope's subqueries apart from the table's joins. Planned together, a
    head of department's flag page took 40 ms to plan and 9 to run; apart, 5 and 7. The page holds
    the same rows in the same order, except that rows equal in that order (a sort by pupil, say) may
    come in another order among themselves, as the database never promised one."""
    page = table.page.object_list
    ordering = page.data.query.order_by
    picked = rows.filter(pk__in=page.data.values("pk"))
    page.data = picked.order_by(*ordering) if ordering else picked
