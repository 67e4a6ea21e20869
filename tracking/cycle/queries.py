"""Reads for the cycle pages, with their joins in one place so query counts stay fixed."""

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from tracking import permissions, standing
from tracking.cycle.services import next_due
from tracking.models import (
    AcademicYear,
    AssessmentPoint,
    CycleTransition,
    DepartmentSignOff,
    GradeEntry,
    HealthCheck,
    SheetReturn,
    TeachingGroup,
)
from tracking.school.queries import teachers_by_group


def calendar(cycles):
    return (
        cycles.select_related("academic_year")
        .prefetch_related(Prefetch("points", queryset=AssessmentPoint.objects.select_related("year_group")))
        .annotate(
            transition_count=Count("transitions", distinct=True),
            health_check_count=Count("health_checks", distinct=True),
        )
        .order_by("input_on", "pk")
    )


def calendar_years(cycles):
    """The school years that have cycles among `cycles`, newest first."""
    return (
        AcademicYear.objects.filter(pk__in=cycles.values("academic_year_id"))
        .select_related("school")
        .order_by("-starts_on", "school__name")
    )


def transitions(cycle):
    return CycleTransition.objects.filter(cycle=cycle).select_related("by")


def health_checks(cycle, departments):
    return HealthCheck.objects.filter(cycle=cycle, department__in=departments).select_related("department")


class BoardGroup:
    """A class on the verification board: its id, name, subject's name and pupils, with its teachers, rows
    complete and sheets sent back. Some 700 in a school of 6,000, read as plain values (a model with its
    subject each cost more than the board's counts)."""

    __slots__ = (
        "pk",
        "name",
        "subject_name",
        "pupil_count",
        "teacher_list",
        "entered",
        "returns",
        "open_return",
    )

    def __init__(self, pk, name, subject_name, pupil_count):
        self.pk, self.name, self.subject_name, self.pupil_count = pk, name, subject_name, pupil_count


def verification_board(cycle, departments):
    """Per department: its sign-offs, its groups in the cycle (BoardGroup) and any sheets sent back."""
    year_groups = cycle.points.values("year_group_id")
    members = (
        TeachingGroup.pupils.through.objects.filter(teachinggroup_id=OuterRef("pk"))
        .values("teachinggroup_id")
        .annotate(n=Count("pupil_id"))
        .values("n")
    )
    in_cycle = TeachingGroup.objects.filter(
        academic_year_id=cycle.academic_year_id,
        year_group_id__in=year_groups,
        subject__department__in=departments,
    )
    # The complete grade rows at the cycle's points, counted for every group in one pass (a subquery
    # per group walked each group's rows and looked up each row's point, some 700 times at 6,000).
    entered = dict(
        GradeEntry.objects.filter(
            standing.complete_q(),
            teaching_group__in=in_cycle.values("pk"),
            point_id__in=cycle.points.values("pk"),
        )
        .values("teaching_group_id")
        .annotate(n=Count("pk"))
        .values_list("teaching_group_id", "n")
        .order_by()
    )
    teachers_of = teachers_by_group(in_cycle)
    groups = (
        in_cycle
        # Counted in a subquery: a count over joins would multiply pupils by grades first.
        .annotate(pupil_count=Coalesce(Subquery(members), 0)).order_by(
            "subject__name", "year_group__number", "name"
        )
    )
    signoffs = DepartmentSignOff.objects.filter(cycle=cycle, department__in=departments).select_related("by")
    returns = SheetReturn.objects.filter(cycle=cycle, teaching_group__in=groups).select_related("by")
    board = {
        d.pk: {"department": d, "groups": [], "hod": None, "slt": None, "returns": []} for d in departments
    }
    open_returns = {}
    for sheet in returns:
        board_groups = open_returns.setdefault(sheet.teaching_group_id, [])
        board_groups.append(sheet)
    for values in groups.values_list("pk", "name", "subject__name", "pupil_count", "subject__department_id"):
        group = BoardGroup(*values[:-1])
        entry = board.get(values[-1])
        if entry is not None:
            group.teacher_list = teachers_of[group.pk]
            group.entered = entered.get(group.pk, 0)
            group.returns = open_returns.get(group.pk, [])
            group.open_return = next((r for r in group.returns if r.resolved_at is None), None)
            entry["groups"].append(group)
    for signoff in signoffs:
        board[signoff.department_id]["slt" if signoff.by_slt else "hod"] = signoff
    return list(board.values())


def home_panel(user):
    """Home-page panel: the cycles under way (not planned, not closed) with what to do next."""
    cycles = (
        permissions.cycles_visible_to(user)
        .filter(academic_year__is_current=True)
        .exclude(stage__in=["planned", "closed"])
        .annotate(health_count=Count("health_checks"))
        .order_by("input_on")
    )
    rows = []
    for cycle in cycles:
        stage, when = next_due(cycle)
        rows.append(
            {"cycle": cycle, "next_stage": stage, "next_at": when, "has_health": cycle.health_count > 0}
        )
    return {"cycles": rows}
