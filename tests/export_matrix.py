"""Every table's "Download CSV / XLSX" (issue 14), page by page: a new export adds a row here.

An export is the page's own URL with ?export=csv|xlsx (or, for plans, the export URL of its own), so it
goes through the page's view: the same permission scope, the same filters, every row. Each row names the
persona who reads it, a heading the export has, text a row must hold and, where the persona's scope leaves
someone out, text no row may hold. tests/site/test_exports.py reads each one; tests/test_query_caps.py
caps its queries.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from tests import factories as f
from tests.access_matrix import ROWS


@dataclass(frozen=True)
class Export:
    name: str  # url name, as in the access matrix
    persona: str
    heading: str  # a column heading the export has
    shows: Callable  # world -> text some row holds
    hides: Callable | None = None  # world -> text no row may hold (out of the persona's scope)
    args: Callable | None = None  # world -> url args, when not the matrix's first row's
    setup: Callable | None = None  # world -> None: the rows the export needs
    url: Callable | None = None  # (world, fmt) -> url, for an export with a URL of its own


def _targets(w):
    for pupil in (w.child, w.other_child):
        f.TargetFactory(school=w.school, pupil=pupil, subject=w.maths)


def _flags(w):
    from tests.interventions.helpers import child_flag

    child_flag(w, "subject")
    child_flag(w, "form_tutor")


def _locked_flags(w):
    """Flags at a locked point: the key-stage sheet reads the latest tracking event."""
    w.point.is_locked = True
    w.point.save(update_fields=["is_locked"])
    _flags(w)


def _requests(w):
    from django.utils import timezone

    from interventions.sessions.models import SessionRequest

    for pupil, by in ((w.child, w.teacher), (w.other_child, w.other_teacher)):
        SessionRequest.objects.create(
            school=w.school, pupil=pupil, subject=w.maths, kind="after_school", reason="Algebra",
            week_start=_monday(), requested_by=by.user, requested_at=timezone.now(),
        )  # fmt: skip


def _monday():
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def _allocation(w):
    from interventions.sessions.models import Allocation, Session

    _requests(w)
    session = Session.objects.create(
        school=w.school, subject=w.maths, kind="after_school", date=_monday(), title="Algebra club",
        starts_at="15:30", ends_at="16:30", room="M1", capacity=10, leader=w.teacher,
    )  # fmt: skip
    Allocation.objects.create(school=w.school, session=session, pupil=w.child, bucket=1)


def _plans(w):
    from tests.interventions.helpers import child_plan

    child_plan(w)


def _grade_change(w):
    from tracking import audit

    audit.record(
        action="tracking.grade.changed", obj=w.child, by=w.teacher.user, pupil=w.child,
        before={"grade": "4"}, after={"grade": "5"},
    )  # fmt: skip


def _import_job(w):
    from tracking.models import ImportJob, ImportKind, ImportStatus

    ImportJob.objects.create(
        school=w.school, kind=ImportKind.PUPILS, file_name="roll.csv", status=ImportStatus.COMMITTED
    )


def _rag_entry(w):
    from tests.access_matrix import _rag_entry as entry

    entry(w)


def _graded(w):
    """Ada and Ben graded in maths at world.point against a target, and a change to Ada's grade."""
    from tracking import audit

    for pupil in (w.classmate, w.child):
        f.TargetFactory(school=w.school, pupil=pupil, subject=w.maths)
        entry = f.GradeEntryFactory(
            school=w.school, pupil=pupil, subject=w.maths, point=w.point, current=f.grade(w.school, "5")
        )
    audit.record(
        action="tracking.grade.changed", obj=entry, by=w.teacher.user, pupil=entry.pupil,
        before={"current": "4"}, after={"current": "5"},
    )  # fmt: skip


def _raise(w):
    from tracking.models import TargetRaiseProposal

    target = f.TargetFactory(school=w.school, pupil=w.child, subject=w.maths)
    TargetRaiseProposal.objects.create(
        school=w.school, target=target, point=w.point, achieved=f.grade(w.school, "7"),
        proposed_grade=f.grade(w.school, "7"),
    )  # fmt: skip


def _target_group_of_ada(w):
    from tests.access_matrix import _target_group

    _target_group(w).pupils.add(w.child)


def _health(w):
    from tests.access_matrix import _cycle

    _graded(w)
    _cycle(w)


def _transition(w):
    from django.utils import timezone

    from tests.access_matrix import _cycle
    from tracking.models import CycleTransition

    CycleTransition.objects.get_or_create(
        cycle=_cycle(w),
        from_stage="planned",
        to_stage="input",
        defaults={"at": timezone.now(), "via": "manual"},
    )


def _health_and_flags(w):
    _health(w)
    _flags(w)


def _sen(w):
    from datetime import date

    from tracking.models import HalfTerm

    _graded(w)
    term = HalfTerm.objects.create(
        academic_year=w.year,
        number=2,
        name="Autumn 2",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 19),
    )
    w.point.half_term = term
    w.point.save(update_fields=["half_term"])
    w.child.sen_status, w.child.sen_need = "K", "SPLD"
    w.child.save(update_fields=["sen_status", "sen_need"])


def _impact(w):
    from interventions.models import Scope
    from tests.interventions.helpers import child_plan, grade

    for pupil in (w.child, w.classmate, w.other_child):
        pupil.ks2_reading, pupil.ks2_maths = 104, 104
        pupil.save()
    later = f.AssessmentPointFactory(
        school=w.school, academic_year=w.year, year_group=w.y11, name="Y11 Spring 1",
        sequence=w.point.sequence + 1, is_locked=True,
    )  # fmt: skip
    grade(w, w.child, w.maths, "4", "6")
    grade(w, w.child, w.maths, "6", point=later)
    grade(w, w.classmate, w.maths, "4")
    grade(w, w.classmate, w.maths, "5", point=later)
    child_plan(w, Scope.SUBJECT)


def _laude(w):
    from tests.interventions.helpers import use_preset

    use_preset(w, "laude")


def _meeting(w):
    from django.utils import timezone

    from mentoring.models import MentorMeeting

    MentorMeeting.objects.create(
        school=w.school, academic_year=w.year, pupil=w.child, mentor=w.mentor, held_on=timezone.localdate(),
        kind="formal", discussed="Revision timetable", recorded_at=timezone.now(),
    )  # fmt: skip


def _previewed_job(w):
    """A pupils dry run that would create Ada and update Ben's surname (made once per world)."""
    from tracking.models import ImportJob, ImportKind, ImportStatus

    if not hasattr(w, "previewed_job"):
        w.previewed_job = ImportJob.objects.create(
            school=w.school, kind=ImportKind.PUPILS, file_name="roll.csv", status=ImportStatus.PREVIEWED,
            changes=[
                {"key": w.child.upn, "name": "Lamb, Ada", "action": "create", "fields": {}},
                {"key": w.classmate.upn, "name": "Ben", "action": "update",
                 "fields": {"surname": ["Bo", "Bee"]}},
            ],
        )  # fmt: skip
    return w.previewed_job


def _plan_review(w):
    from django.utils import timezone

    from interventions.plans.models import PlanReview
    from tests.access_matrix import _child_plan

    plan = _child_plan(w)
    PlanReview.objects.get_or_create(
        plan=plan, point=w.point,
        defaults={"decision": "continue", "level_before": plan.level, "level_after": plan.level,
                  "standing": [{"subject": "Mathematics", "grade": "4", "target": "6"}], "by": w.hod.user,
                  "at": timezone.now(), "note": "Keep going"},
    )  # fmt: skip


def _target_history(w):
    from tracking import audit

    target = f.TargetFactory(school=w.school, pupil=w.child, subject=w.maths)
    audit.record(
        action="tracking.target.change_requested", obj=target, by=w.teacher.user, pupil=w.child,
        before={"grade": "6", "status": "published"}, after={"grade": "6", "requested_grade": "7"},
        note="Strong mocks",
    )  # fmt: skip


def _reopened(w):
    from datetime import timedelta

    from django.utils import timezone

    from tests.access_matrix import _locked_point
    from tracking.marksheets import services

    services.sheet_reopen(
        point=_locked_point(w), group=w.group, by=w.data_manager.user,
        until=timezone.localdate() + timedelta(days=7), reason="Late joiner",
    )  # fmt: skip


def _changed(w):
    from tests.access_matrix import _changed_since_verified

    _changed_since_verified(w)


def _flight_paths(w):
    from tracking.targets.flightpaths import flightpaths_install_defaults

    flightpaths_install_defaults(school=w.school)


def _from(helper):
    def setup(w):
        from tests import access_matrix

        getattr(access_matrix, helper)(w)

    return setup


def _year_listed(w):
    """Ada on the year leaders' list for good effort: effort 1 in three subjects."""
    history = f.SubjectFactory(school=w.school, name="History", code="HI", category="history")
    for subject in (w.maths, w.english, history):
        f.TargetFactory(school=w.school, pupil=w.child, subject=subject)
        f.GradeEntryFactory(
            school=w.school, pupil=w.child, subject=subject, point=w.point, current=f.grade(w.school, "6"),
            effort=1,
        )  # fmt: skip


EXPORTS = [
    Export("pupil_list", "teacher", "UPN", lambda w: w.child.upn, lambda w: w.other_child.upn),
    Export("group_list", "teacher", "Pupils", lambda w: w.group.name, lambda w: w.other_group.name),
    Export("setup_staff", "data_manager", "Staff code", lambda w: w.teacher.code),
    Export(
        "target_overview",
        "teacher",
        "Mathematics target",
        lambda w: w.child.upn,
        lambda w: w.other_child.upn,
        setup=_targets,
    ),
    Export("completion", "hod", "Unfinished sheets", lambda w: str(w.teacher)),
    Export("interventions:flag_list", "tutor", "Reason", lambda w: "Lamb", setup=_flags),
    Export("interventions:ks_sheet", "hoy", "Highest level", lambda w: w.child.upn, setup=_locked_flags),
    Export(
        "interventions:session_requests",
        "teacher",
        "Asked by",
        lambda w: w.child.upn,
        lambda w: w.other_child.upn,
        setup=_requests,
    ),
    Export("interventions:allocation", "senco", "Bucket", lambda w: "Algebra club", setup=_allocation),
    Export(
        "interventions:agreement_list",
        "tutor",
        "Parent signed",
        lambda w: w.child.upn,
        lambda w: w.other_child.upn,
    ),
    Export(
        "interventions:plan_list",
        "tutor",
        "UPN",
        lambda w: w.child.upn,
        setup=_plans,
        url=lambda w, fmt: reverse("interventions:plan_export", args=[fmt]),
    ),
    Export("security_log", "data_manager", "Details", lambda w: w.child.full_name, setup=_grade_change),
    Export("import_list", "data_manager", "Outcome", lambda w: "roll.csv", setup=_import_job),
    Export("mentoring:allocation", "slt", "Caseload", lambda w: w.child.upn),
    Export("mentoring:mentees", "mentor", "Standing", lambda w: w.child.upn, lambda w: w.other_child.upn),
    Export("mentoring:compliance", "slt", "Pupil not met", lambda w: w.child.upn),
    Export("mentoring:rag_review", "slt", "Comment", lambda w: "Homework missing", setup=_rag_entry),
    # Beyond issue 14's list: every other page with a table of data.
    Export(
        "group_detail",
        "teacher",
        "Against expected",
        lambda w: w.child.upn,
        lambda w: w.other_child.upn,
        setup=_graded,
    ),
    Export("marksheet_list", "teacher", "Rows done", lambda w: "11Ma1", lambda w: "11Ma2"),
    Export(
        "mentoring:rag_actions", "slt", "Owner's role", lambda w: "Catch-up plan", setup=_from("_rag_action")
    ),
    Export(
        "interventions:target_group_detail", "hoy", "Now", lambda w: w.child.upn, setup=_target_group_of_ada
    ),
    Export("interventions:session_week", "teacher", "Leader", lambda w: "Algebra club", setup=_allocation),
    Export("reports:run_list", "slt", "Grades from", lambda w: "Published", setup=_from("_report_run")),
    Export(
        "failed_tasks", "data_manager", "Task", lambda w: "send_cycle_emails", setup=_from("_failed_task")
    ),
    Export("pupil_grade_history", "slt", "Through", lambda w: "Mathematics", setup=_sen),
    Export("sheet_history", "slt", "Change", lambda w: w.child.upn, setup=_graded),
    Export("target_raises", "hod", "Proposed", lambda w: w.child.upn, setup=_raise),
    Export("health_check_list", "hod", "On target %", lambda w: "Mathematics", setup=_health),
    Export("health_check_detail", "hod", "Against expected", lambda w: "Lamb, Ada", setup=_health),
    Export("dashboard_tutor", "tutor", "Needs a conversation because", lambda w: w.child.upn, setup=_graded),
    # The rest of issue 14's list: set-up, interventions, mentoring, reports, the cycle, transition, imports.
    Export("setup_subjects", "data_manager", "Department", lambda w: w.maths.code),
    Export("setup_points", "data_manager", "Window opens", lambda w: w.point.name),
    Export("setup_scales", "data_manager", "Other spellings", lambda w: w.maths.scale.name),
    Export("setup_scale", "data_manager", "Whole grade", lambda w: "5"),
    Export("interventions:rules", "slt", "Threshold", lambda w: "below target", setup=_laude),
    Export("interventions:flag_detail", "hod", "Details", lambda w: "Raised"),
    Export("interventions:impact", "slt", "Similar pupils", lambda w: "Lamb, Ada", setup=_impact),
    Export("interventions:sen", "senco", "Primary need", lambda w: w.child.upn, setup=_sen),
    Export("mentoring:rag_home", "slt", "Ratings", lambda w: "1", setup=_rag_entry),
    Export("mentoring:mentee", "mentor", "Discussed", lambda w: "Revision timetable", setup=_meeting),
    Export("reports:run_detail", "slt", "Pages", lambda w: w.child.upn, setup=_from("_report_run")),
    Export("cycle_detail", "hod", "How", lambda w: "manual", setup=_transition),
    Export(
        "cycle_verify",
        "hod",
        "Rows complete",
        lambda w: w.group.name,
        lambda w: w.english_group.name,  # another department's class
        setup=_health,
    ),
    Export("cycle_report", "slt", "Completion %", lambda w: "Mathematics", setup=_health_and_flags),
    Export("dashboard", "slt", "Year group", lambda w: "Year 11", setup=_sen),
    Export("dashboard_variation", "hod", "Compared with the rest", lambda w: "Mathematics", setup=_sen),
    Export("dashboard_attainment8", "slt", "Attainment 8", lambda w: w.child.upn, setup=_sen),
    Export("dashboard_attainment8_pupil", "slt", "Points", lambda w: "Maths 1", setup=_sen),
    Export("dashboard_transition", "hoy", "Average difference", lambda w: "Mathematics", setup=_sen),
    Export(
        "dashboard_year_lists",
        "hoy",
        "Attendance under threshold",
        lambda w: w.child.upn,
        setup=_year_listed,
    ),
    Export(
        "reopen_requests",
        "data_manager",
        "Asked by",
        lambda w: "Wrong column",
        setup=_from("_reopen_request"),
    ),
    Export("interventions:plan_detail", "hod", "Standing then", lambda w: "Keep going", setup=_plan_review),
    Export("target_detail", "teacher", "Reason / note", lambda w: "Strong mocks", setup=_target_history),
    Export("marksheet_verify", "hod", "Current: now", lambda w: w.child.upn, setup=_changed),
    Export("marksheet_reopen", "data_manager", "Until", lambda w: "Late joiner", setup=_reopened),
    Export("point_reopen", "data_manager", "Sheet", lambda w: "Late joiner", setup=_reopened),
    Export(
        "marksheet_reopen_request",
        "teacher",
        "Outcome",
        lambda w: "Wrong column",
        setup=_from("_reopen_request"),
    ),
    Export("mentoring:rag_sheet", "teacher", "Comment", lambda w: "Homework missing", setup=_rag_entry),
    Export("flight_paths", "data_manager", "ks2_from", lambda w: "MA", setup=_flight_paths),
    Export(
        "import_detail",
        "data_manager",
        "Change",
        lambda w: "surname: Bo → Bee",
        args=lambda w: [_previewed_job(w).pk],
    ),
]


@dataclass(frozen=True)
class Print:
    """A page's "Print (PDF)": the page's own URL with ?print=pdf, through the page's view (the same scope,
    filters and sort, and the page of a long table on screen: tracking/lib/printed.py), or a URL of its
    own (`page` names the page). tests/site/test_exports.py reads each one."""

    name: str  # url name, as in the access matrix
    persona: str
    shows: Callable  # world -> text the PDF holds
    setup: Callable | None = None  # world -> None: the rows the PDF needs
    page: str | None = None  # url name of the page with the button, for a print with a URL of its own


PRINTS = [
    Print("dashboard", "slt", lambda w: "Year 11", setup=_sen),
    Print("dashboard_variation", "hod", lambda w: "Mathematics", setup=_sen),
    Print("dashboard_attainment8", "slt", lambda w: "Attainment 8", setup=_sen),
    Print("dashboard_attainment8_pupil", "slt", lambda w: w.child.sorted_name, setup=_sen),
    Print("interventions:sen", "senco", lambda w: w.child.sorted_name, setup=_sen),
    Print("dashboard_tutor", "tutor", lambda w: w.child.sorted_name, setup=_graded),
    Print("dashboard_year_lists", "hoy", lambda w: w.child.sorted_name, setup=_year_listed),
    Print("dashboard_transition", "hoy", lambda w: "Mathematics", setup=_sen),
    Print(
        "interventions:plan_pdf",
        "tutor",
        lambda w: w.child.legal_last_name,
        _plans,
        page="interventions:plan_list",
    ),
]


def print_url(world, printed):
    _, args, _ = matrix_row(printed.name)
    return reverse(printed.name, args=args(world)) + ("" if printed.page else "?print=pdf")


def matrix_row(name):
    return next(row for row in ROWS if row[0] == name)


def export_url(world, export, fmt):
    if export.url:
        return export.url(world, fmt)
    _, args, _ = matrix_row(export.name)
    args = export.args or args
    return reverse(export.name, args=args(world)) + f"?export={fmt}"
