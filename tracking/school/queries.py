"""Reads shared by views and reports, with their joins in one place so query counts stay fixed."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from tracking import standing
from tracking.lib.shared import select_shared
from tracking.models import GradeEntry, Pupil, Staff, Target, TeachingGroup, User, YearGroup, key_stage_for
from tracking.school.tables import pupil_flags, pupil_flags_html


def year_groups_in_use(school_ids):
    """The year groups a school actually has: those with pupils on roll. Set-up can leave year groups a
    school does not teach (the demo's 11-16 school has empty Years 12 and 13), so filters and pickers
    offer these, never a Year 12 or a key stage 5 that nobody is in."""
    on_roll = Pupil.objects.filter(year_group=OuterRef("pk"), is_active=True)
    return YearGroup.objects.filter(Exists(on_roll), school_id__in=list(school_ids)).order_by("number")


def key_stages_in_use(school_ids):
    """The key stages of `year_groups_in_use`, e.g. {3, 4} for an 11-16 school."""
    return {key_stage_for(n) for n in year_groups_in_use(school_ids).values_list("number", flat=True)}


def pupil_list(queryset):
    return queryset.select_related("year_group", "form").order_by("legal_last_name", "legal_first_name")


def groups_with_counts(queryset):
    return (
        queryset.select_related("subject", "year_group")
        .prefetch_related("teachers__user")
        .annotate(pupil_count=Count("pupils", distinct=True))
    )


def group_pupils(group):
    return (
        group.pupils.filter(is_active=True)
        .select_related("form")
        .order_by("legal_last_name", "legal_first_name")
    )


@dataclass(frozen=True)
class GroupPupil:
    pupil: object
    flags: str
    latest: object  # the GradeEntry at the latest point with a grade in the group's subject, or None
    standing: object  # tracking.standing.Standing of that grade


def group_standings(group):
    """Each pupil of a group with their latest grade in its subject and how it stands.

    tracking.standing judges it, against the grade expected at that point; four queries here and
    about three for the standing book, whatever the group's size.
    """
    pupils = select_shared(group_pupils(group), "form")
    ids = [p.pk for p in pupils]
    # Only each pupil's latest graded entry is read (a subquery per pupil on the (pupil, subject)
    # index), not every year's grades in the subject: a Year 11 group has five years of them.
    newest = (
        GradeEntry.objects.filter(subject_id=group.subject_id, pupil_id=OuterRef("pk"))
        .filter(Q(current__isnull=False) | Q(predicted__isnull=False))
        .order_by("-point__academic_year__starts_on", "-point__sequence")
        .values("pk")[:1]
    )
    entries = GradeEntry.objects.filter(
        pk__in=Pupil.objects.filter(pk__in=ids).annotate(newest=Subquery(newest)).values("newest")
    )
    book = standing.Book(group.school)
    # Grades come from the book, which judging reads whole anyway, not from a join each (targets join
    # theirs when no entry has read the book: reading it for targets alone would be a query more).
    latest = {
        e.pupil_id: book.fill_grades(e, "current", "predicted")
        for e in select_shared(entries, "point__year_group")
    }
    relations = ("grade", "published_grade", "requested_grade")
    found = Target.objects.filter(subject_id=group.subject_id, pupil_id__in=ids)
    targets = {
        t.pupil_id: book.fill_grades(t, *relations) if latest else t
        for t in (found if latest else found.select_related(*relations))
    }
    rows = []
    for pupil in pupils:
        entry, target = latest.get(pupil.pk), targets.get(pupil.pk)
        if entry is not None:
            result = book.judge_entry(entry, target)
        else:
            result = standing.Standing(
                target=standing.counting_target(target),
                pending=standing.pending_target(target),
                pupil_id=pupil.pk,
                subject_id=group.subject_id,
            )
        rows.append(GroupPupil(pupil, pupil_flags_html(pupil), entry, result))
    return rows


def group_standings_export(group, rows):
    """(headers, rows) of a group's page: each pupil's latest grade and how it stands, in the school's
    words for standings (tracking.standing.label)."""
    headers = [
        "Pupil", "UPN", "Form", "Flags", "Prior attainment", "Latest grade", "Judged on", "Point",
        "Expected then", "Target", "Pending target", "Against expected",
    ]  # fmt: skip
    out = []
    for row in rows:
        s, pupil = row.standing, row.pupil
        out.append(
            [
                pupil.sorted_name,
                pupil.upn,
                str(pupil.form or ""),
                ", ".join(short for _, _, short in pupil_flags(pupil)),
                pupil.get_prior_band_display(),
                str(s.grade) if s.grade else "",
                s.judged or "",
                row.latest.point.name if s.grade and row.latest else "",
                str(s.expected or ""),
                str(s.target or ""),
                str(s.pending or ""),
                standing.label(s.status, group.school),
            ]
        )
    return headers, out


def targets_by_subject(pupil, published_only=False, visible=None):
    """A pupil's targets by subject: of `visible` (a viewer's permitted targets) when given."""
    qs = (visible if visible is not None else Target.objects).filter(pupil=pupil)
    qs = qs.select_related("grade", "published_grade", "requested_grade", "subject")
    if published_only:
        qs = qs.filter(published_grade__isnull=False)
    return {t.subject_id: t for t in qs}


def _as_verified(entry):
    """The entry as families see it: the values it had when last verified (tracking.standing)."""
    entry.current, entry.predicted = entry.verified_current, entry.verified_predicted
    entry.security, entry.effort = entry.verified_security, entry.verified_effort
    return entry


def pupil_history(pupil, subjects=None, family=False, visible_targets=None, targets=None, book=None):
    """Every subject's grades across assessment points against its target, for the pupil page.

    Staff see the grades as they stand; families (`family=True`) see the verified grades only (what
    stood when the data was last verified: a reopened sheet's edits wait for the next verification)
    and published targets. Standings come from tracking.standing.

    Returns (points, rows) where rows are dicts: subject, target, target_grade (published), cells (one
    per point), history [(point, entry, standing)], latest entry and standing (the latest graded point).
    """
    entries = GradeEntry.objects.filter(pupil=pupil)
    if subjects is not None:
        entries = entries.filter(subject__in=subjects)
    if family:
        entries = entries.filter(verified_at__isnull=False)
    # Some ten subjects and ten points, each built once rather than once per entry.
    entries = select_shared(
        entries.order_by("point__academic_year__starts_on", "point__sequence"), "subject", "point"
    )
    # The grades come from the standing book, which reads every grade of the school once for judging
    # anyway, not from two joins (and two GradeValues built) per entry.
    book = book or standing.Book(pupil.school, family=family)
    grades = ("verified_current", "verified_predicted") if family else ("current", "predicted")
    for entry in entries:
        book.fill_grades(entry, *grades)
    if family:
        entries = [_as_verified(entry) for entry in entries]
    if targets is None:  # else {subject id: Target}, already read (published only for families)
        targets = targets_by_subject(pupil, published_only=family, visible=visible_targets)
    points = sorted({e.point for e in entries}, key=lambda p: (p.opens_on, p.sequence))
    by_subject = defaultdict(dict)
    subject_objs = {}
    for entry in entries:
        by_subject[entry.subject_id][entry.point_id] = entry
        subject_objs[entry.subject_id] = entry.subject
    rows = []
    for subject_id, cells in sorted(by_subject.items(), key=lambda kv: subject_objs[kv[0]].name):
        target = targets.get(subject_id)
        ordered = [cells.get(point.pk) for point in points]
        history = [
            (point, cell, book.judge_entry(cell, target))
            for point, cell in zip(points, ordered, strict=True)
            if cell
        ]
        graded = [(cell, result) for _, cell, result in history if result.grade is not None]
        latest, result = (
            graded[-1] if graded else (None, standing.Standing(pupil_id=pupil.pk, subject_id=subject_id))
        )
        rows.append(
            {
                "subject": subject_objs[subject_id],
                "target": target,
                "target_grade": standing.counting_target(target),
                "pending": None if family else standing.pending_target(target),
                "cells": ordered,
                "history": history,
                "latest": latest,
                "standing": result,
            }
        )
    return points, rows


STAFF_FIELDS = [f.attname for f in Staff._meta.concrete_fields]
USER_FIELDS = [f.attname for f in User._meta.concrete_fields]


def staff_columns(prefix=""):
    """The columns `staff_builder` reads, for values_list(), under `prefix` (e.g. "staff__")."""
    return [*(f"{prefix}{name}" for name in STAFF_FIELDS), *(f"{prefix}user__{name}" for name in USER_FIELDS)]


def staff_builder(db):
    """A function from a row's `staff_columns` values to its Staff (with its user). Each member of staff
    is built once however many rows name them: a list of 1,900 groups or 1,200 mentees has some 60
    teachers, and select_related would build a Staff and a User per row."""
    built, n = {}, len(STAFF_FIELDS)

    def build(values):
        staff = built.get(values[0])
        if staff is None:
            staff = built[values[0]] = Staff.from_db(db, STAFF_FIELDS, values[:n])
            staff.user = User.from_db(db, USER_FIELDS, values[n:])
        return staff

    return build


def teachers_by_group(groups):
    """{group id: [Staff (with its user), by name]} for the TeachingGroup queryset `groups`, from the link
    table in one query (prefetch_related would build a related manager and queryset per group)."""
    rows = (
        TeachingGroup.teachers.through.objects.filter(teachinggroup__in=groups.values("pk"))
        .order_by("staff__user__last_name", "staff__user__first_name")
        .values_list("teachinggroup_id", *staff_columns("staff__"))
    )
    build, teachers_of = staff_builder(groups.db), defaultdict(list)
    for group_id, *values in rows:
        teachers_of[group_id].append(build(values))
    return teachers_of
