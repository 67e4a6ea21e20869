"""Completion of marksheets: which sheets (teaching group x assessment point) are done.

A cell is one collected grade field for one pupil; a sheet is complete when every pupil in the group
has every collected grade field filled (current and predicted as the point collects them, security
and effort when collected; the comment is optional). Counting happens in the database with a fixed
number of queries whatever the size of the school.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_

from django.db import connections
from django.db.models import Case, Q, Value, When

from tracking import audit, standing
from tracking.models import (
    AssessmentPoint,
    Department,
    GradeEntry,
    Pupil,
    Subject,
    TeachingGroup,
    YearGroup,
)
from tracking.oversight.completion_tallies import Completion, Sheet, Tally
from tracking.school.queries import teachers_by_group

REMINDERS_ACTION = "tracking.reminders.sent"

# The fields a sheet must have filled: tracking.standing's one rule, shared with "My marksheets" and the
# health checks.
collected_fields = standing.required_fields


def points_for_selection(school, today=None):
    """Assessment points of the current academic year, in order, for the point chooser."""
    return list(
        AssessmentPoint.objects.filter(school=school, academic_year__is_current=True)
        .select_related("year_group", "academic_year")
        .order_by("opens_on", "year_group__number", "sequence")
    )


def default_points(points, today=None):
    """The points whose window is open today (falls back to the latest that has opened)."""
    today = today or date.today()
    open_now = [p for p in points if p.opens_on <= today <= p.closes_on and not p.is_locked]
    if open_now:
        return open_now
    opened = [p for p in points if p.opens_on <= today]
    return opened[-1:] if opened else points[:1]


def _groups_at(points, departments):
    """The teaching groups the points' sheets belong to: their year and year group, in `departments`."""
    pairs = {(p.academic_year_id, p.year_group_id) for p in points}
    pair_q = reduce(or_, (Q(academic_year_id=ay, year_group_id=yg) for ay, yg in pairs))
    groups = TeachingGroup.objects.filter(pair_q, school_id=points[0].school_id)
    if departments is not None:
        groups = groups.filter(subject__department_id__in=departments)
    return groups


def _sheet_counts(points, departments, db):
    """({(group id, point id): counts of its grade rows}, {group id: pupils on roll}) in one query.

    One row per pupil on roll in each group and each point of the group's year (an inner join to the
    points), with the pupil's grade row there joined beside it (a left join on the unique pupil,
    subject and point), summed by group and point: the pupils on roll and the filled fields come from
    one walk of the memberships. Which fields are filled, and which a point requires for a complete row,
    are tracking.standing's rules, worked out on the grade rows in their own (inlined) subquery.
    """
    point_ids = sorted(p.pk for p in points)
    # The points as a table of (point, academic year, year group), each group joined to its year group's
    # points: one walk of the memberships for every point, not a subquery (and a hashed table of the
    # pupils) per point. VALUES names its columns column1, column2... on PostgreSQL and SQLite alike.
    pairs = ", ".join("(%s, %s, %s)" for _ in point_ids)
    pair_params = [value for p in points for value in (p.pk, p.academic_year_id, p.year_group_id)]
    one, zero = Value(1), Value(0)
    filled = standing.filled_q()
    # Complete: the fields each point requires are filled. Spelt out per point, not joined to the
    # point's columns: a grade row with no join is found by its unique (pupil, subject, point) index.
    complete = [Q(*(filled[name] for name in collected_fields(p)), point_id=p.pk) for p in points]
    flags = {
        "complete": reduce(or_, complete),
        **{f"n_{name}": q for name, q in filled.items()},
    }
    entries = (
        GradeEntry.objects.filter(point_id__in=point_ids)
        .annotate(**{name: Case(When(q, then=one), default=zero) for name, q in flags.items()})
        .values("pupil_id", "subject_id", "point_id", *flags)
        .order_by()
    )
    entries_sql, entries_params = entries.query.sql_with_params()
    # The school's groups, in `departments` when given: the points' table already names the years and
    # year groups. Filtered by them a second time, PostgreSQL guessed a department's memberships at a
    # tenth of what they are and probed the grades pupil by pupil (a head of department's count 50%
    # slower than the hash join it uses now).
    in_scope, scope_params = "g.school_id = %s", [points[0].school_id]
    if departments is not None:
        subjects_sql, subjects_params = (
            Subject.objects.filter(department_id__in=departments).values("pk").query.sql_with_params()
        )
        in_scope += f" AND g.subject_id IN ({subjects_sql})"
        scope_params += subjects_params
    sums = ", ".join(f"SUM(e.{name})" for name in flags)
    sql = (
        f"SELECT m.teachinggroup_id, pts.column1, COUNT(*), {sums} "
        f"FROM {TeachingGroup._meta.db_table} g JOIN (VALUES {pairs}) pts "
        "ON pts.column2 = g.academic_year_id AND pts.column3 = g.year_group_id "
        f"JOIN {TeachingGroup.pupils.through._meta.db_table} m ON m.teachinggroup_id = g.id "
        f"JOIN {Pupil._meta.db_table} p ON p.id = m.pupil_id "
        f"LEFT JOIN ({entries_sql}) e ON e.pupil_id = m.pupil_id "
        "AND e.subject_id = g.subject_id AND e.point_id = pts.column1 "
        f"WHERE p.is_active AND {in_scope} "
        "GROUP BY m.teachinggroup_id, pts.column1"
    )
    by_sheet, pupils_in = {}, {}
    with connections[db].cursor() as cursor:
        cursor.execute(sql, (*pair_params, *entries_params, *scope_params))
        for group_id, point_id, pupils, *counts in cursor.fetchall():
            pupils_in[group_id] = pupils
            by_sheet[(group_id, point_id)] = {name: n or 0 for name, n in zip(flags, counts, strict=True)}
    return by_sheet, pupils_in


def _sheets(points, group_rows, by_sheet, pupils_in):
    """A Sheet per (group, point of its year group) for `group_rows`: (group, academic year id, year
    group id) in the order to show them."""
    # Each point once: its id, its number of fields and the counts' names of its fields, for some 2,000
    # sheets (a point's pk and fields looked up for each would cost more than the sheet).
    points_by_pair = defaultdict(list)
    for point in points:
        names = [f"n_{name}" for name in collected_fields(point)]
        points_by_pair[(point.academic_year_id, point.year_group_id)].append((point, point.pk, names))
    sheets = []
    for group, year_id, year_group_id in group_rows:
        group_pk = group if isinstance(group, int) else group.pk
        pupils = pupils_in.get(group_pk, 0)
        for point, point_pk, names in points_by_pair[(year_id, year_group_id)]:
            row = by_sheet.get((group_pk, point_pk), {})
            sheets.append(
                Sheet(
                    group=group,
                    point=point,
                    pupils=pupils,
                    fields=len(names),
                    cells_done=sum([row.get(name, 0) for name in names]),
                    pupils_complete=row.get("complete", 0),
                )
            )
    return sheets


class GroupRef:
    """A teaching group as the pages that name no subject show it (the chase list, the tallies by point
    and by teacher): its id and name, with its teachers. Some 2,000 in a school of 6,000, built for a
    fraction of a model's cost."""

    __slots__ = ("pk", "name", "academic_year_id", "year_group_id", "teacher_list")

    def __init__(self, pk, name, academic_year_id, year_group_id):
        self.pk, self.name = pk, name
        self.academic_year_id, self.year_group_id = academic_year_id, year_group_id

    def __str__(self):
        return self.name


def completion_for(points, departments=None, *, subjects=True):
    """Every sheet for the chosen points with its counts. `departments`: None for all, or a set of ids.
    `subjects=False` when nothing reads a sheet's group's subject or department (the chase list, the
    tallies by point and by teacher): the groups are then `GroupRef`s, read without them.

    Three queries whatever the school's size: the groups, their teachers, and the counts (one
    aggregate over grade entries grouped by teaching group and point, with the groups' pupils on roll).
    """
    points = list(points)
    if not points:
        return Completion(points=[], sheets=[])
    in_scope = _groups_at(points, departments)
    by_sheet, pupils_in = _sheet_counts(points, departments, in_scope.db)
    teachers_of = teachers_by_group(in_scope)
    rows = []
    ordered = in_scope.order_by("year_group__number", "subject__name", "name")
    if subjects:
        groups = _groups_with_subjects(ordered)
    else:
        groups = [GroupRef(*values) for values in ordered.values_list(*GroupRef.__slots__[:-1])]
    for group in groups:
        group.teacher_list = teachers_of[group.pk]
        rows.append((group, group.academic_year_id, group.year_group_id))
    return Completion(points=points, sheets=_sheets(points, rows, by_sheet, pupils_in))


def _groups_with_subjects(groups):
    """The TeachingGroups of the queryset `groups`, each with its subject, the subject's department and
    its year group, from one query. Each subject, department and year group is built once however many
    groups share it: select_related builds all four again for every row (some 2,000 groups in a school
    of 6,000)."""
    db = groups.db
    group_cols, subject_cols, department_cols, year_cols = (
        [f.attname for f in model._meta.concrete_fields]
        for model in (TeachingGroup, Subject, Department, YearGroup)
    )
    rows = groups.values_list(
        *group_cols,
        *(f"subject__{name}" for name in subject_cols),
        *(f"subject__department__{name}" for name in department_cols),
        *(f"year_group__{name}" for name in year_cols),
    )
    a = len(group_cols)
    b = a + len(subject_cols)
    c = b + len(department_cols)
    subjects, years = {}, {}
    departments = {}
    out = []
    # As select_related fills them: straight into the relation's cache (the descriptors' checks, run
    # twice for each of some 2,000 groups, cost more than building the groups).
    set_subject = TeachingGroup.subject.field.set_cached_value
    set_year_group = TeachingGroup.year_group.field.set_cached_value
    for values in rows:
        group = TeachingGroup.from_db(db, group_cols, values[:a])
        subject = subjects.get(values[a])
        if subject is None:
            subject = subjects[values[a]] = Subject.from_db(db, subject_cols, values[a:b])
            department = departments.get(values[b])
            if department is None:
                department = departments[values[b]] = Department.from_db(db, department_cols, values[b:c])
            subject.department = department
        year_group = years.get(values[c])
        if year_group is None:
            year_group = years[values[c]] = YearGroup.from_db(db, year_cols, values[c:])
        set_subject(group, subject)
        set_year_group(group, year_group)
        out.append(group)
    return out


@dataclass
class Summary:
    """The home page's completion figures: every sheet's tally (`overall`) and the `chase` least-done
    teachers (a Tally each, without `sheets_to_chase`)."""

    overall: Tally
    chase: list


def completion_summary(points, departments=None, chase=5):
    """The overall figures and the `chase` least-done teachers of `completion_for(points, departments)`
    (its `overall` and the head of its `chase_list()`), counted the same way without loading the groups,
    their subjects and departments as models: four queries, the same whatever the school's size."""
    points = list(points)
    if not points:
        return Summary(overall=Tally(label="Whole selection"), chase=[])
    in_scope = _groups_at(points, departments)
    by_sheet, pupils_in = _sheet_counts(points, departments, in_scope.db)
    teachers_of = teachers_by_group(in_scope)
    rows = in_scope.values_list("pk", "academic_year_id", "year_group_id").order_by()
    sheets = _sheets(points, rows, by_sheet, pupils_in)
    tallies = {}
    for sheet in sheets:
        for teacher in teachers_of[sheet.group] or [None]:
            key = teacher.pk if teacher else None
            if key not in tallies:
                tallies[key] = Tally(key=key, label=str(teacher) if teacher else "No teacher")
            tallies[key].add(sheet)
    # As chase_list() orders them: least done first, then by name.
    behind = sorted((t for t in tallies.values() if t.incomplete), key=lambda t: (t.percent, t.label.lower()))
    return Summary(overall=Tally(label="Whole selection", sheets=sheets), chase=behind[:chase])


def last_reminder(school):
    return audit.last_event(school=school, action=REMINDERS_ACTION)
