"""Every URL, every role: who may open what. New pages add a row here (a guard test insists).

Each row: url name, a function(world) -> args, and the personas allowed to GET it (200). Everyone else
gets 404 (staff pages hide their existence) or a redirect to login (anonymous).
"""

STAFF = {"teacher", "other_teacher", "hod", "tutor", "hoy", "mentor", "senco", "slt", "data_manager"}
PARENTS = {"parent", "other_parent"}
EVERYONE = STAFF | PARENTS
WHOLE_SCHOOL = {"slt", "data_manager"}

# Who may see `world.child` (in teacher's maths group, other_teacher's English group, form 11A, mentee).
SEES_CHILD = {
    "teacher",
    "other_teacher",
    "hod",
    "tutor",
    "hoy",
    "mentor",
    "senco",
    "slt",
    "data_manager",
    "parent",
}
SEES_GROUP = {"teacher", "hod", "senco", "slt", "data_manager"}
# Grades for world.group are entered by its teacher, the maths HoD, SLT and the data manager.
EDITS_GROUP = {"teacher", "hod", "slt", "data_manager"}

CYCLE_READERS = {"hod", "slt", "data_manager"}
# A pupil's plans: the owner, pastoral staff (tutor, head of year, mentor) and whole-school readers.
PLAN_READERS = {"hod", "tutor", "hoy", "mentor", "senco", "slt", "data_manager"}
# The key-stage tracking sheet: heads of year / KS coordinators, SLT and the data manager.
KS_LEADERS = {"hoy", "slt", "data_manager"}
# Session allocation: the (assistant) SENCo and SLT.
ALLOCATORS = {"senco", "slt"}
RAG_READERS = {"teacher", "other_teacher", "hod", "mentor", "slt", "data_manager"}


def _cycle(w):
    """A cycle over world.point with its health checks (made once per world)."""
    if not hasattr(w, "cycle"):
        from tracking.cycle.health import health_checks_generate
        from tracking.cycle.services import cycle_create

        w.cycle = cycle_create(school=w.school, academic_year=w.year, name="Matrix uplift", points=[w.point])
        health_checks_generate(cycle=w.cycle)
    return w.cycle


def _failed_task(w):
    from tracking.models import FailedTask

    return FailedTask.objects.create(
        task_name="tracking.cycle.tasks.send_cycle_emails", args=[1, "input"], exception="x", school=w.school
    )


ROWS = [
    ("security_log", lambda w: [], {"data_manager"}),
    # Trust staff only (no school persona has it): tests/tracking/test_school_switcher.py.
    ("school_switch", lambda w: [], set()),  # POST only
    ("home", lambda w: [], EVERYONE),
    ("school_theme_css", lambda w: [], EVERYONE),
    ("pupil_list", lambda w: [], STAFF),
    ("pupil_detail", lambda w: [w.child.pk], SEES_CHILD),
    (
        "pupil_detail",
        lambda w: [w.other_child.pk],
        SEES_CHILD - {"teacher", "tutor", "mentor", "parent"} | {"other_parent"},
    ),
    ("group_list", lambda w: [], STAFF),
    ("group_detail", lambda w: [w.group.pk], SEES_GROUP),
    ("marksheet_list", lambda w: [], STAFF),
    ("marksheet", lambda w: [w.group.pk, w.point.pk], EDITS_GROUP),
    ("marksheet", lambda w: [w.english_group.pk, w.point.pk], {"other_teacher", "slt", "data_manager"}),
    ("marksheet_row", lambda w: [w.group.pk, w.point.pk, w.child.pk], EDITS_GROUP),
    ("marksheet_row", lambda w: [w.group.pk, w.point.pk, w.other_child.pk], set()),
    ("marksheet_light", lambda w: [w.group.pk, w.point.pk, w.child.pk], EDITS_GROUP),
    ("marksheet_light", lambda w: [w.group.pk, w.point.pk, w.other_child.pk], set()),
    ("marksheet_reopen", lambda w: [w.group.pk, w.point.pk], {"data_manager"}),
    ("marksheet_verify", lambda w: [w.group.pk, w.point.pk], {"hod", "slt", "data_manager"}),
    ("point_reopen", lambda w: [w.point.pk], {"data_manager"}),
    # Asking for a sheet to be reopened: those who open the sheet; the requests page: marksheet users.
    ("marksheet_reopen_request", lambda w: [w.group.pk, w.point.pk], EDITS_GROUP),
    ("reopen_requests", lambda w: [], {"teacher", "other_teacher", "hod", "slt", "data_manager"}),
    ("reopen_request_decide", lambda w: [_reopen_request(w).pk], set()),  # POST only
    ("interventions:flag_list", lambda w: [], STAFF),
    ("interventions:flag_new", lambda w: [], STAFF),
    # A maths flag on world.child owned by the maths HoD; a form-tutor flag owned by the tutor.
    ("interventions:flag_detail", lambda w: [_child_flag(w, "subject").pk], {"hod"} | WHOLE_SCHOOL),
    ("interventions:flag_detail", lambda w: [_child_flag(w, "form_tutor").pk], {"tutor"} | WHOLE_SCHOOL),
    ("interventions:flag_create", lambda w: [w.child.pk], SEES_CHILD - PARENTS),
    (
        "interventions:flag_create",
        lambda w: [w.other_child.pk],
        SEES_CHILD - {"teacher", "tutor", "mentor", "parent"},
    ),
    ("interventions:rules", lambda w: [], WHOLE_SCHOOL),
    # Plans (issue 10): any member of staff has the list (it shows only the plans they may see).
    ("interventions:plan_list", lambda w: [], STAFF),
    ("interventions:plan_export", lambda w: ["csv"], STAFF),
    ("interventions:plan_export", lambda w: ["xlsx"], STAFF),
    ("interventions:plan_pdf", lambda w: [], STAFF),
    # A maths plan on world.child: its owner (the maths HoD), the pupil's tutor, head of year and mentor,
    # SLT, the data manager and the SENCo. Never a subject teacher or a parent.
    ("interventions:plan_detail", lambda w: [_child_plan(w).pk], PLAN_READERS),
    ("interventions:plan_detail", lambda w: [_child_plan(w, "form_tutor").pk], PLAN_READERS - {"hod"}),
    ("interventions:plan_from_flag", lambda w: [_child_flag(w, "subject").pk], {"hod"} | WHOLE_SCHOOL),
    ("interventions:plan_from_flag", lambda w: [_child_flag(w, "form_tutor").pk], {"tutor"} | WHOLE_SCHOOL),
    ("interventions:ks_sheet", lambda w: [], KS_LEADERS),
    ("interventions:target_group_detail", lambda w: [_target_group(w).pk], KS_LEADERS),
    # Sessions: every member of staff requests and prints the sign-up sheet; the SENCos and SLT allocate;
    # a session's leader (world.teacher), the SENCo and SLT take its register; SLT and mentors follow up.
    ("interventions:session_week", lambda w: [], STAFF),
    ("interventions:session_requests", lambda w: [], STAFF),
    ("interventions:session_request_new", lambda w: [], STAFF),
    ("interventions:signup_sheet", lambda w: [], STAFF),
    ("interventions:allocation", lambda w: [], ALLOCATORS),
    ("interventions:register", lambda w: [_session(w).pk], ALLOCATORS | {"teacher"}),
    ("interventions:follow_ups", lambda w: [], {"slt", "mentor"}),
    # Form 11A's timetable: its tutor, the head of year and whole-school readers.
    # The Agreement for Examination Success: pastoral staff for their pupils, whole-school readers for all.
    (
        "interventions:agreement_list",
        lambda w: [],
        {"tutor", "hoy", "mentor", "senco", "slt", "data_manager"},
    ),
    ("interventions:impact", lambda w: [], WHOLE_SCHOOL),
    ("interventions:timetable_pdf", lambda w: [w.form.pk], {"tutor", "hoy", "senco", "slt", "data_manager"}),
    ("interventions:rule_edit", lambda w: [_a_rule(w).pk], WHOLE_SCHOOL),
    # Oversight: completion for SLT, the data manager and heads of department (their department).
    ("completion", lambda w: [], {"hod", "slt", "data_manager"}),
    # GET previews who would be reminded; only SLT and the data manager may send reminders.
    ("completion_remind", lambda w: [], WHOLE_SCHOOL),
    # Master grids: anyone who teaches a subject this year, its HoD, SLT and the data manager.
    ("master_chooser", lambda w: [], {"teacher", "other_teacher", "hod", "slt", "data_manager"}),
    ("master_detail", lambda w: [w.maths.pk], {"teacher", "other_teacher", "hod", "slt", "data_manager"}),
    ("master_detail", lambda w: [w.english.pk], {"other_teacher", "slt", "data_manager"}),
    (
        "master_export",
        lambda w: [w.maths.pk, "csv"],
        {"teacher", "other_teacher", "hod", "slt", "data_manager"},
    ),
    ("master_export", lambda w: [w.english.pk, "xlsx"], {"other_teacher", "slt", "data_manager"}),
    # The grade audit trail: SLT and the data manager only.
    ("pupil_grade_history", lambda w: [w.child.pk], WHOLE_SCHOOL),
    ("sheet_history", lambda w: [w.group.pk, w.point.pk], WHOLE_SCHOOL),
    # Targets (issue 4): the Data Verification Team is SLT + the data manager.
    ("target_overview", lambda w: [], STAFF),
    ("target_detail", lambda w: [w.child.pk, w.maths.pk], SEES_CHILD - PARENTS),
    ("target_changes", lambda w: [], WHOLE_SCHOOL | {"hod"}),
    ("target_raises", lambda w: [], WHOLE_SCHOOL | {"hod"}),
    ("target_generate", lambda w: [], {"data_manager"}),
    ("flight_paths", lambda w: [], {"data_manager"}),
    ("flight_paths_csv", lambda w: [], {"data_manager"}),
    (
        "curricular_target_new",
        lambda w: ["pupil", w.child.pk],
        {"teacher", "other_teacher", "tutor", "slt", "data_manager"},
    ),
    ("curricular_target_new", lambda w: ["group", w.group.pk], {"teacher", "hod", "slt", "data_manager"}),
    ("cycle_calendar", lambda w: [], CYCLE_READERS),
    ("cycle_detail", lambda w: [_cycle(w).pk], CYCLE_READERS),
    ("cycle_action", lambda w: [_cycle(w).pk, "advance"], {"data_manager"}),
    ("cycle_dates", lambda w: [_cycle(w).pk], {"data_manager"}),
    ("cycle_verify", lambda w: [_cycle(w).pk], CYCLE_READERS),
    ("health_check_list", lambda w: [_cycle(w).pk], CYCLE_READERS),
    ("health_check_detail", lambda w: [_cycle(w).pk, w.maths.department_id], CYCLE_READERS),
    ("health_check_detail", lambda w: [_cycle(w).pk, w.english.department_id], WHOLE_SCHOOL),
    ("health_check_chart", lambda w: [_cycle(w).pk, w.maths.department_id], CYCLE_READERS),
    ("health_check_pdf", lambda w: [_cycle(w).pk, w.maths.department_id], CYCLE_READERS),
    ("cycle_report", lambda w: [_cycle(w).pk], CYCLE_READERS),
    ("failed_tasks", lambda w: [], {"data_manager"}),
    ("failed_task_retry", lambda w: [_failed_task(w).pk], {"data_manager"}),
    ("import_list", lambda w: [], {"data_manager"}),
    ("dashboard", lambda w: [], {"teacher", "other_teacher", "hod", "senco", "slt", "data_manager"}),
    ("dashboard_trend", lambda w: [], {"teacher", "other_teacher", "hod", "senco", "slt", "data_manager"}),
    # Heads of year count every subject of their year (as in their year lists): A8 for Years 10 and 11.
    ("dashboard_attainment8", lambda w: [], {"hoy", "senco", "slt", "data_manager"}),
    ("dashboard_attainment8_pupil", lambda w: [w.child.pk], {"hoy", "senco", "slt", "data_manager"}),
    # Year leaders' lists: the year's leaders and whole-school readers; HoDs and teachers in their scope.
    (
        "dashboard_year_lists",
        lambda w: [],
        {"teacher", "other_teacher", "hod", "hoy", "senco", "slt", "data_manager"},
    ),
    ("dashboard_transition", lambda w: [], {"hoy", "senco", "slt", "data_manager"}),
    # The SENCo's view: the dashboard split by need, in the dashboard's scope.
    ("interventions:sen", lambda w: [], {"teacher", "other_teacher", "hod", "senco", "slt", "data_manager"}),
    # A form's tutor view: its tutor, the head of year and whole-school readers.
    ("dashboard_tutor", lambda w: [w.form.pk], {"tutor", "hoy", "senco", "slt", "data_manager"}),
    (
        "dashboard_variation",
        lambda w: [],
        {"teacher", "other_teacher", "hod", "senco", "slt", "data_manager"},
    ),
    # Trust staff only (no school persona): tests/tracking/dashboards/test_trust.py.
    ("dashboard_trust", lambda w: [], set()),
    ("dashboard_trust_trend", lambda w: [w.school.pk], set()),
    ("data_board_settings", lambda w: [], {"data_manager"}),
    ("progress_estimates", lambda w: [], {"data_manager"}),
    ("subject_access", lambda w: [w.child.pk], {"data_manager"}),
    ("import_detail", lambda w: [_import_job(w).pk], {"data_manager"}),
    ("import_commit", lambda w: [_import_job(w).pk], {"data_manager"}),
    ("import_upload", lambda w: ["pupils"], {"data_manager"}),
    ("import_columns", lambda w: [_mapping_job(w).pk], {"data_manager"}),
    ("import_progress", lambda w: [_import_job(w).pk], {"data_manager"}),
    # The school's set-up without the admin (issue 14): the data manager's.
    ("setup_home", lambda w: [], {"data_manager"}),
    ("setup_calendar", lambda w: [], {"data_manager"}),
    ("setup_scales", lambda w: [], {"data_manager"}),
    ("setup_scale", lambda w: [w.maths.scale_id], {"data_manager"}),
    ("setup_subjects", lambda w: [], {"data_manager"}),
    ("setup_subject", lambda w: [w.maths.pk], {"data_manager"}),
    ("setup_points", lambda w: [], {"data_manager"}),
    ("setup_point", lambda w: [w.point.pk], {"data_manager"}),
    ("setup_school", lambda w: [], {"data_manager"}),
    ("setup_export", lambda w: [], {"data_manager"}),
    ("setup_staff", lambda w: [], {"data_manager"}),
    ("setup_staff_member", lambda w: [w.teacher.pk], {"data_manager"}),
    ("setup_role_remove", lambda w: [w.tutor.pk, _tutor_role(w).pk], set()),  # POST only
    # Mentor allocation (issue 11): SLT decide mentors; the data manager keeps the lists.
    ("mentoring:allocation", lambda w: [], WHOLE_SCHOOL),
    # The mentor's workspace and meeting log; SLT watch that every mentee is met each month.
    ("mentoring:mentees", lambda w: [], {"mentor"}),
    ("mentoring:mentee", lambda w: [w.child.pk], {"mentor"} | WHOLE_SCHOOL),
    ("mentoring:mentee", lambda w: [w.other_child.pk], WHOLE_SCHOOL),
    ("mentoring:compliance", lambda w: [], WHOLE_SCHOOL),
    # Mentoring slips: teachers send about pupils they teach; mentors read theirs.
    ("mentoring:slips", lambda w: [], {"teacher", "other_teacher", "hod", "mentor"}),
    ("mentoring:slip_new", lambda w: [w.child.pk], {"teacher", "other_teacher"}),
    ("mentoring:slip_new", lambda w: [w.other_child.pk], {"other_teacher"}),
    ("mentoring:slip_discussed", lambda w: [_slip(w).pk], set()),  # POST only
    # The monthly Academic RAG (world.child rated red in maths by her teacher; an action for the HoD).
    ("mentoring:rag_home", lambda w: [], RAG_READERS),
    ("mentoring:rag_theme_css", lambda w: [], EVERYONE),
    ("mentoring:rag_sheet", lambda w: [_rag_window(w).pk, w.group.pk], {"teacher"}),
    ("mentoring:rag_sheet", lambda w: [_rag_window(w).pk, w.english_group.pk], {"other_teacher"}),
    ("mentoring:rag_review", lambda w: [_rag_window(w).pk], WHOLE_SCHOOL),
    ("mentoring:rag_breakfast", lambda w: [_rag_window(w).pk], {"mentor"} | WHOLE_SCHOOL),
    ("mentoring:rag_sheets", lambda w: [_rag_window(w).pk], {"mentor"} | WHOLE_SCHOOL),
    ("mentoring:rag_sheet_job", lambda w: [_rag_job(w).pk], {"mentor"} | WHOLE_SCHOOL),
    ("mentoring:rag_sheet_pdf", lambda w: [_rag_job(w).pk], {"mentor"} | WHOLE_SCHOOL),
    ("mentoring:rag_action_new", lambda w: [_rag_entry(w).pk], WHOLE_SCHOOL),
    ("mentoring:rag_actions", lambda w: [], {"hod", "mentor"} | WHOLE_SCHOOL),
    ("mentoring:rag_action", lambda w: [_rag_action(w).pk], set()),  # POST only
    # Reports (issue 12): the data manager chooses fields; SLT and the data manager run and publish;
    # staff preview pupils they see; a family downloads only its own child's published report.
    ("reports:settings", lambda w: [], {"data_manager"}),
    ("reports:preview", lambda w: [w.child.pk], SEES_CHILD - PARENTS),
    ("reports:preview", lambda w: [w.other_child.pk], SEES_CHILD - {"teacher", "tutor", "mentor", "parent"}),
    ("reports:run_list", lambda w: [], WHOLE_SCHOOL),
    ("reports:run_detail", lambda w: [_report_run(w).pk], WHOLE_SCHOOL),
    ("reports:run_progress", lambda w: [_report_run(w).pk], WHOLE_SCHOOL),
    ("reports:run_zip", lambda w: [_report_run(w).pk], WHOLE_SCHOOL),
    ("reports:run_print", lambda w: [_report_run(w).pk], WHOLE_SCHOOL),
    ("reports:report_download", lambda w: [_pupil_report(w, w.child).pk], SEES_CHILD),
    (
        "reports:report_download",
        lambda w: [_pupil_report(w, w.other_child).pk],
        SEES_CHILD - {"teacher", "tutor", "mentor", "parent"} | {"other_parent"},
    ),
    ("reports:comments", lambda w: [], {"tutor", "mentor"}),
    ("reports:family_child", lambda w: [w.child.pk], SEES_CHILD),
    (
        "reports:family_child",
        lambda w: [w.other_child.pk],
        SEES_CHILD - {"teacher", "tutor", "mentor", "parent"} | {"other_parent"},
    ),
]


def _rag_window(w):
    from datetime import date, timedelta

    from mentoring.models import RagWindow

    if not hasattr(w, "rag_window"):
        today = date.today()
        w.rag_window = RagWindow.objects.create(
            school=w.school,
            academic_year=w.year,
            month=today.replace(day=1),
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=5),
        )
        w.rag_window.year_groups.set([w.y11])
    return w.rag_window


def _rag_entry(w):
    from mentoring.models import RagEntry

    if not hasattr(w, "rag_entry"):
        w.rag_entry = RagEntry.objects.create(
            window=_rag_window(w),
            school=w.school,
            pupil=w.child,
            subject=w.maths,
            rating="R",
            comment="Homework missing",
            by=w.teacher.user,
            updated_at=_now(),
        )
    return w.rag_entry


def _rag_action(w):
    from datetime import date, timedelta

    from mentoring.models import RagAction

    if not hasattr(w, "rag_action"):
        entry = _rag_entry(w)
        w.rag_action = RagAction.objects.create(
            school=w.school,
            window=entry.window,
            entry=entry,
            pupil=w.child,
            subject=w.maths,
            text="Catch-up plan",
            owner_kind="hod",
            owner=w.hod,
            due_on=date.today() + timedelta(days=7),
            created_at=_now(),
        )
    return w.rag_action


def _rag_job(w):
    from mentoring.models import RagSheetJob

    if not hasattr(w, "rag_job"):
        w.rag_job = RagSheetJob.objects.create(
            school=w.school,
            window=_rag_window(w),
            mentor=w.mentor,
            requested_at=_now(),
            status="done",
            pdf=b"%PDF-1.7 test",
        )
    return w.rag_job


def _slip(w):
    from mentoring.models import MentoringSlip
    from tracking.models import AcademicYear

    if not hasattr(w, "slip"):
        w.slip = MentoringSlip.objects.create(
            school=w.school,
            academic_year=AcademicYear.objects.get(pk=w.year.pk),
            pupil=w.child,
            subject=w.maths,
            kind="concern",
            message="Homework missing",
            to_improve="Hand in on time",
            sent_by=w.teacher,
            mentor=w.mentor,
            sent_at=_now(),
        )
    return w.slip


def _now():
    from django.utils import timezone

    return timezone.now()


def _report_run(w):
    """A published Year 11 report run over the world's three pupils (made once per world)."""
    if not hasattr(w, "report_run"):
        from tests.reports.helpers import published_run

        w.report_run = published_run(w)
    return w.report_run


def _pupil_report(w, pupil):
    return _report_run(w).reports.get(pupil=pupil)


def _unpublished_run(w):
    if not hasattr(w, "unpublished_run"):
        from tests.reports.helpers import finished_run

        w.unpublished_run = finished_run(w, form=w.form)
    return w.unpublished_run


def _import_job(w):
    from tracking.models import ImportJob, ImportKind, ImportStatus

    return ImportJob.objects.create(
        school=w.school, kind=ImportKind.CTF, file_name="y7.xml", status=ImportStatus.REJECTED
    )


PUPILS_CSV = "UPN,Surname,Forename,DOB,Sex,Year\nB801200005001,Lamb,Ada,2014-05-01,F,11\n"


def _mapping_job(w):
    """A pupils file whose columns Uplift could not guess (its surname column is called 'Family')."""
    from tracking.models import ImportJob, ImportKind, ImportStatus

    return ImportJob.objects.create(
        school=w.school,
        kind=ImportKind.PUPILS,
        file_name="roll.csv",
        status=ImportStatus.MAPPING,
        content=PUPILS_CSV.replace("Surname", "Family").encode(),
        mapping={"upn": "UPN", "legal_first_name": "Forename", "date_of_birth": "DOB"},
    )


def _pupils_upload(w):
    import io

    upload = io.BytesIO(PUPILS_CSV.encode())
    upload.name = "roll.csv"
    return {"file": upload}


def _columns_body(w):
    return {
        "upn": "UPN",
        "legal_last_name": "Family",
        "legal_first_name": "Forename",
        "date_of_birth": "DOB",
        "gender": "Sex",
        "year": "Year",
    }


def _calendar_body(w):
    return {
        "name": "2026/27",
        "starts_on": "2026-09-01",
        "ends_on": "2027-08-31",
        "years": ["7", "11"],
        "ht1_starts": "2026-09-02",
        "ht1_ends": "2026-10-23",
    }


def _without_scales(w):
    """A school without the 1-10 scale, so the one POST (add the missing standard scales) acts."""
    from tracking.models import GradeScale

    GradeScale.objects.filter(school=w.school, code="ten").delete()
    return {}


def _scale_body(w):
    values = list(w.maths.scale.values.order_by("-rank"))
    body = {
        "scale-name": "GCSE (9 to 1)",
        "grades-TOTAL_FORMS": len(values),
        "grades-INITIAL_FORMS": len(values),
    }
    for i, value in enumerate(values):
        body |= {
            f"grades-{i}-id": value.pk,
            f"grades-{i}-aliases": value.aliases,
            f"grades-{i}-points": value.points,
        }
    return body


def _tutor_role(w):
    return w.tutor.roles.get(role="tutor")


def _school_words_body(w):
    return {
        **{f"label_{s}": f"Words {s}" for s in ("above", "on", "below", "well_below")},
        **{f"colour_{s}": "#00703c" for s in ("above", "on", "below", "well_below")},
        "above_by": 1,
        "below_by": 1,
        "well_below_by": 3,
        "floor_scale_code": w.maths.scale.code,
        "floor_step": 4,
        "fsm_ever_years": 6,
        "retention_years": "",
    }


def _subject_body(w, name, code):
    return {
        "name": name,
        "code": code,
        "department_name": "Humanities",
        "qualification": "gcse",
        "category": "other",
        "scale": w.maths.scale_id,
    }


def _point_body(w, name, sequence):
    return {
        "year_group": w.y11.pk,
        "name": name,
        "sequence": sequence,
        "opens_on": "2027-01-10",
        "closes_on": "2027-01-20",
        "collects_current": "on",
    }


def _child_flag(world, scope):
    from tests.interventions.helpers import child_flag

    return child_flag(world, scope)


def _child_plan(world, scope="subject"):
    from tests.interventions.helpers import child_plan

    return child_plan(world, scope)


def _target_group(world):
    from django.utils import timezone

    from interventions.plans.models import TargetGroup

    group, _ = TargetGroup.objects.get_or_create(
        school=world.school, key_stage=4, name="Matrix group", defaults={"created_at": timezone.now()}
    )
    return group


def _session(world):
    from datetime import time

    from django.utils import timezone

    from interventions.sessions.models import Session

    session, _ = Session.objects.get_or_create(
        school=world.school, title="Matrix maths", defaults={
            "subject": world.maths, "kind": "after_school", "date": timezone.localdate(),
            "starts_at": time(15, 30), "ends_at": time(16, 30), "room": "M1", "capacity": 10,
            "leader": world.teacher},
    )  # fmt: skip
    return session


def _a_rule(world):
    from interventions.presets import install_presets

    return install_presets(world.school)["laude"].rules.order_by("pk").first()


# URL names that need no login or are framework pages, with why.
EXEMPT = {
    "healthz": "load-balancer probe, no data",
    # The staffroom screen opens with a signed link, not a login: tests/tracking/dashboards/test_board.py.
    "data_board": "signed read-only link, no login",
    "data_board_colours": "signed read-only link, no login",
    "login": "auth",
    "logout": "auth",
    "password_change": "auth",
    "password_change_done": "auth",
    "password_reset": "auth",
    "password_reset_done": "auth",
    "password_reset_confirm": "auth",
    "password_reset_complete": "auth",
    # Two-step sign-in: every signed-in user manages their own (tests/tracking/signin/test_mfa.py).
    "mfa_manage": "auth: the user's own second step",
    "mfa_verify": "auth: the user's own second step",
    "mfa_setup": "auth: the user's own second step",
    "mfa_codes_new": "auth: POST only, the user's own recovery codes",
    "mfa_turn_off": "auth: POST only, the user's own second step",
}


# -- Actions: every URL that changes something when POSTed to ---------------------------------------
# Each row: url name, a function(world) -> args, a function(world) -> a valid POST body, and the personas
# whose POST takes effect (the database changes or a task is queued). Everyone else gets 404 and changes
# nothing; anonymous visitors are sent to login. The body is valid, so a missing access check would show.
# A guard test insists that every URL whose view acts on POST has a row here.


def _today(days=0):
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _grade(w, code):
    from tests import factories as f

    return f.grade(w.school, code)


def _sheet_body(w, pupil, value):
    """A marksheet POST giving `pupil` a current grade, every other collected field left blank."""
    from tracking.marksheets.windows import FIELDS

    body = {f"r-{pupil.pk}-version": "0"}
    for field in FIELDS:
        body[f"r-{pupil.pk}-{field}"] = value if field == "current" else ""
        body[f"r-{pupil.pk}-was-{field}"] = ""
    return body


def _reopen_body(w):
    return {"until": _today(7), "reason": "Pupil joined late"}


def _reopen_request(w):
    """A request from world.teacher to reopen world.group's sheet at world.point (made once per world)."""
    from tracking.models import ReopenRequest

    if not hasattr(w, "reopen_request"):
        w.reopen_request = ReopenRequest.objects.create(
            school=w.school, point=w.point, teaching_group=w.group, reason="Wrong column",
            requested_by=w.teacher.user, requested_at="2026-11-20T10:00:00Z",
        )  # fmt: skip
    return w.reopen_request


def _waiting_again(w):
    """The request back to waiting, so each allowed persona has something to decide."""
    from tracking.models import ReopenRequest

    ReopenRequest.objects.filter(pk=_reopen_request(w).pk).update(status="pending", decided_at=None, note="")
    return {"decision": "decline", "note": "The grades were right"}


def _no_request_waiting(w):
    """world.group's sheet closed and no request waiting, so each allowed persona can ask."""
    from tracking.models import ReopenRequest

    _locked_point(w)
    ReopenRequest.objects.filter(point=w.point, status="pending").update(status="declined")
    return {"reason": "Two grades went in the wrong column"}


def _locked_point(w):
    """world.point with its window closed, so a reopen has something to do."""
    if not getattr(w, "point_closed", False):
        w.point.closes_on = w.point.opens_on
        w.point.save(update_fields=["closes_on"])
        w.point_closed = True
    return w.point


def _proposed_target(w):
    from tests import factories as f
    from tracking.models import TargetStatus

    if not hasattr(w, "proposed"):
        w.proposed = f.TargetFactory(
            pupil=w.child, subject=w.maths, grade=_grade(w, "6"), status=TargetStatus.PROPOSED
        )
    return w.proposed


def _raise_proposal(w):
    """world.child is above her maths target at world.point: the data manager's run proposes a raise."""
    from tests import factories as f

    if not hasattr(w, "above_target"):
        f.TargetFactory(pupil=w.child, subject=w.maths, grade=_grade(w, "5"))
        f.GradeEntryFactory(
            pupil=w.child, subject=w.maths, point=w.point, current=_grade(w, "6"), predicted=_grade(w, "7")
        )
        w.above_target = True
    return w.point


def _open_raise(w):
    from tracking.models import TargetRaiseProposal
    from tracking.targets.services import targets_propose_raises

    _raise_proposal(w)
    targets_propose_raises(point=w.point)
    return TargetRaiseProposal.objects.get(target__pupil=w.child, target__subject=w.maths)


def _with_flight_paths(w):
    from tracking.targets.flightpaths import flightpaths_install_defaults

    if not getattr(w, "paths", False):
        flightpaths_install_defaults(school=w.school)
        w.paths = True
    return w


def _planned_cycle(w):
    """A cycle still to come (its dates may move), separate from the matrix's `_cycle`."""
    from datetime import date, timedelta

    from tracking.cycle.services import cycle_create, default_dates

    if not hasattr(w, "planned"):
        w.planned = cycle_create(
            school=w.school,
            academic_year=w.year,
            name="Planned uplift",
            points=[w.point],
            dates=default_dates(date.today() + timedelta(days=14)),
        )
    return w.planned


def _dates_body(w):
    from datetime import timedelta

    cycle = _planned_cycle(w)
    names = ["input_on", "verification_on", "health_check_on", "actions_on", "evaluation_on", "closes_on"]
    body = {name: getattr(cycle, name).isoformat() for name in names}
    body["health_check_on"] = (cycle.health_check_on + timedelta(days=2)).isoformat()
    return body


def _verifying_cycle(w):
    from tracking.cycle.services import cycle_advance

    cycle = _cycle(w)
    while cycle.stage != "verification":
        cycle_advance(cycle=cycle, by=w.data_manager.user)
        cycle.refresh_from_db()
    return cycle


def _rule_body(w):
    rule = _a_rule(w)
    return {
        "name": rule.name + " (edited)",
        "n": str(rule.n or 1),
        "level": str(rule.level or 1),
        "grade_thresholds": ", ".join(f"{k}:{v}" for k, v in (rule.grade_thresholds or {}).items()),
        "bands": "",
        "reason_template": rule.reason_template,
        "ks3": "on",
        "ks4": "on",
        "ks5": "on",
        "is_active": "on",
    }


def _other_preset(w):
    from interventions.models import InterventionSettings

    _a_rule(w)  # installs the presets
    active = InterventionSettings.objects.get_or_create(school=w.school)[0].active_preset_id
    return w.school.rule_presets.exclude(pk=active).order_by("code").first()


def _run_rules_body(w):
    from tests.interventions.helpers import grade, use_preset

    if not getattr(w, "below_target", False):
        use_preset(w, "laude")
        grade(w, w.child, w.maths, "3", "6")  # three below target: the rules flag her
        w.below_target = True
    return {"run": "1", "point": w.point.pk}


def _ctf_upload(w):
    """A fresh upload of a one-pupil CTF (a file object is read once, so each POST gets its own)."""
    import io

    from tests.tracking.mis.test_ctf import PUPIL, ctf

    upload = io.BytesIO(ctf(PUPIL))
    upload.name = "y6.xml"
    return {"file": upload}


def _previewed_import(w):
    from tests import factories as f
    from tests.tracking.mis.test_ctf import PUPIL, ctf
    from tracking.mis.services import ctf_import

    if not hasattr(w, "previewed"):
        f.YearGroupFactory(school=w.school, number=7)
        w.previewed = ctf_import(
            school=w.school, raw=ctf(PUPIL), file_name="y6.xml", by=w.data_manager.user, commit=False
        )
    return w.previewed


def _changed_since_verified(w):
    """child's maths grade at world.point was verified, then changed: verifying the sheet again has work."""
    from tests import factories as f
    from tracking.cycle.verification import grades_verify
    from tracking.models import GradeEntry

    entry, _ = GradeEntry.objects.get_or_create(
        school=w.school, pupil=w.child, subject=w.maths, point=w.point, defaults={"current": _grade(w, "5")}
    )
    if entry.verified_at is None:
        grades_verify(entries=GradeEntry.objects.filter(pk=entry.pk), by=None, via="matrix")
        entry.refresh_from_db()
    other = "6" if entry.verified_current_id == _grade(w, "5").pk else "5"
    GradeEntry.objects.filter(pk=entry.pk).update(current=f.grade(w.school, other))
    return {}


CURRICULAR = {"text": "Check units in every answer", "horizon": "lessons", "review_on": _today(30)}
TUTORS_AND_UP = {"hod"} | WHOLE_SCHOOL  # who acts on world.child's maths flag (routed to the maths HoD)

ACTIONS = [
    ("school_switch", lambda w: [], lambda w: {"school": w.school.pk}, set()),  # trust staff only
    ("data_board_settings", lambda w: [], lambda w: {"action": "new_link"}, {"data_manager"}),
    ("marksheet", lambda w: [w.group.pk, w.point.pk], lambda w: _sheet_body(w, w.child, "5"), EDITS_GROUP),
    (
        "marksheet",
        lambda w: [w.english_group.pk, w.point.pk],
        lambda w: _sheet_body(w, w.child, "5"),
        {"other_teacher", "slt", "data_manager"},
    ),
    (
        "marksheet_row",
        lambda w: [w.group.pk, w.point.pk, w.child.pk],
        lambda w: _sheet_body(w, w.child, "5"),
        EDITS_GROUP,
    ),
    (
        "marksheet_reopen",
        lambda w: [w.group.pk, _locked_point(w).pk],
        _reopen_body,
        {"data_manager"},
    ),
    ("point_reopen", lambda w: [_locked_point(w).pk], _reopen_body, {"data_manager"}),
    ("marksheet_reopen_request", lambda w: [w.group.pk, w.point.pk], _no_request_waiting, EDITS_GROUP),
    ("reopen_request_decide", lambda w: [_reopen_request(w).pk], _waiting_again, {"data_manager"}),
    (
        "marksheet_verify",
        lambda w: [w.group.pk, w.point.pk],
        _changed_since_verified,
        {"hod", "slt", "data_manager"},
    ),
    ("completion_remind", lambda w: [], lambda w: {"point": w.point.pk}, WHOLE_SCHOOL),
    (
        "target_overview",
        lambda w: [],
        lambda w: {"action": "agree", "expected": "1"} if _proposed_target(w) else {},
        {"slt"},  # SLT agree and publish targets
    ),
    (
        "target_detail",
        lambda w: [w.child.pk, w.maths.pk],
        lambda w: {"action": "propose", "propose-grade": _grade(w, "7").pk, "propose-reason": ""},
        {"teacher", "hod", "slt", "data_manager"},
    ),
    (
        "target_raises",
        lambda w: [],
        lambda w: {"action": "run", "point": _raise_proposal(w).pk},
        {"data_manager"},
    ),
    (
        "target_raises",
        lambda w: [],
        lambda w: {"action": "accept", "proposal": _open_raise(w).pk, "reason": "Mocks"},
        {"hod", "slt"},
    ),
    (
        "target_generate",
        lambda w: [],
        lambda w: {"year_group": _with_flight_paths(w).y11.pk, "source": "flightpath", "confirm": "1"},
        {"data_manager"},
    ),
    ("flight_paths", lambda w: [], lambda w: {"action": "defaults"}, {"data_manager"}),
    (
        "curricular_target_new",
        lambda w: ["pupil", w.child.pk],
        lambda w: CURRICULAR,
        {"teacher", "other_teacher", "tutor", "slt", "data_manager"},
    ),
    (
        "curricular_target_new",
        lambda w: ["group", w.group.pk],
        lambda w: CURRICULAR,
        {"teacher", "hod", "slt", "data_manager"},
    ),
    ("cycle_action", lambda w: [_cycle(w).pk, "advance"], lambda w: {}, {"data_manager"}),
    ("cycle_action", lambda w: [_cycle(w).pk, "hold"], lambda w: {"note": "Mocks"}, {"data_manager"}),
    ("cycle_dates", lambda w: [_planned_cycle(w).pk], _dates_body, {"data_manager"}),
    (
        "cycle_verify",
        lambda w: [_verifying_cycle(w).pk],
        lambda w: {"action": "verify", "department": w.maths.department_id},
        CYCLE_READERS,
    ),
    ("failed_task_retry", lambda w: [_failed_task(w).pk], lambda w: {}, {"data_manager"}),
    (
        "interventions:flag_detail",
        lambda w: [_child_flag(w, "subject").pk],
        lambda w: {"action_text": "Maths catch-up on Tuesdays", "action_due": _today(14), "status": "open"},
        TUTORS_AND_UP,
    ),
    (
        "interventions:flag_create",
        lambda w: [w.child.pk],
        lambda w: {"scope": "subject", "subject": w.maths.pk, "level": "1", "reason": "Feared to slip"},
        SEES_CHILD - PARENTS,
    ),
    ("interventions:rules", lambda w: [], lambda w: {"preset": _other_preset(w).pk}, WHOLE_SCHOOL),
    ("interventions:rules", lambda w: [], _run_rules_body, WHOLE_SCHOOL),
    ("interventions:rule_edit", lambda w: [_a_rule(w).pk], _rule_body, WHOLE_SCHOOL),
    ("import_list", lambda w: [], _ctf_upload, {"data_manager"}),
    ("import_commit", lambda w: [_previewed_import(w).pk], lambda w: {}, {"data_manager"}),
    ("import_upload", lambda w: ["pupils"], _pupils_upload, {"data_manager"}),
    ("import_columns", lambda w: [_mapping_job(w).pk], _columns_body, {"data_manager"}),
    ("setup_calendar", lambda w: [], _calendar_body, {"data_manager"}),
    ("setup_scales", lambda w: [], _without_scales, {"data_manager"}),
    (
        "setup_scales",
        lambda w: [],
        lambda w: {
            "action": "create",
            "name": "Music",
            "code": "music",
            "grades": "D\nM\nP",
        },
        {"data_manager"},
    ),
    ("setup_subjects", lambda w: [], lambda w: _subject_body(w, "Geography", "GG"), {"data_manager"}),
    ("setup_subject", lambda w: [w.maths.pk], lambda w: _subject_body(w, "Maths", "MA"), {"data_manager"}),
    ("setup_points", lambda w: [], lambda w: _point_body(w, "Y11 Spring 1", 40), {"data_manager"}),
    ("setup_point", lambda w: [w.point.pk], lambda w: _point_body(w, "Y11 Mocks", 41), {"data_manager"}),
    ("setup_school", lambda w: [], _school_words_body, {"data_manager"}),
    ("setup_scale", lambda w: [w.maths.scale_id], _scale_body, {"data_manager"}),
    (
        "setup_staff_member",
        lambda w: [w.teacher.pk],
        lambda w: {"role": "hod", "department": w.english.department_id},
        {"data_manager"},
    ),
    ("setup_role_remove", lambda w: [w.tutor.pk, _tutor_role(w).pk], lambda w: {}, {"data_manager"}),
    ("subject_access", lambda w: [w.child.pk], lambda w: {}, {"data_manager"}),  # audited export
    ("setup_export", lambda w: [], lambda w: {}, {"data_manager"}),  # audited export
    # Mentor allocation: the classmate has no mentor yet; the world's mentor takes her on.
    (
        "mentoring:allocation",
        lambda w: [],
        lambda w: {"action": "assign", "pupils": [w.classmate.pk], "mentor": w.mentor.pk},
        WHOLE_SCHOOL,
    ),
    (
        "mentoring:mentee",
        lambda w: [w.child.pk],
        lambda w: {"held_on": _today(), "kind": "formal", "discussed": "Revision plan"},
        {"mentor"},
    ),
    (
        "mentoring:slip_new",
        lambda w: [w.child.pk],
        lambda w: {
            "subject": w.maths.pk,
            "kind": "concern",
            "message": "No homework",
            "to_improve": "On time",
        },
        {"teacher"},
    ),
    ("mentoring:slip_discussed", lambda w: [_slip(w).pk], lambda w: {}, {"mentor"}),
    (
        "mentoring:rag_home",
        lambda w: [],
        lambda w: {"action": "open", "opens_on": _today(), "closes_on": _today(3)},
        WHOLE_SCHOOL,
    ),
    (
        "mentoring:rag_sheet",
        lambda w: [_rag_window(w).pk, w.group.pk],
        lambda w: {f"rating-{w.child.pk}": "A", f"comment-{w.child.pk}": "Better this week"},
        {"teacher"},
    ),
    (
        "mentoring:rag_action_new",
        lambda w: [_rag_entry(w).pk],
        lambda w: {"text": "Maths catch-up", "owner": f"hod:{w.hod.pk}", "due_on": _today(7)},
        WHOLE_SCHOOL,
    ),
    (
        "mentoring:rag_action",
        lambda w: [_rag_action(w).pk],
        lambda w: {"status": "done"},
        {"hod"} | WHOLE_SCHOOL,
    ),
    (
        "mentoring:rag_breakfast",
        lambda w: [_rag_window(w).pk],
        lambda w: {"feedback": "All fine"},
        {"mentor"},
    ),
    ("mentoring:rag_sheets", lambda w: [_rag_window(w).pk], lambda w: {"scope": "mine"}, {"mentor"}),
    ("mentoring:rag_sheets", lambda w: [_rag_window(w).pk], lambda w: {"scope": "all"}, WHOLE_SCHOOL),
    (
        "reports:settings",
        lambda w: [],
        lambda w: {"kind": "year11", "year11-fields": ["target", "current", "standing"]},
        {"data_manager"},
    ),
    (
        "reports:run_list",
        lambda w: [],
        lambda w: {"kind": "year11", "year_group": w.y11.pk, "form": w.form.pk, "point": w.point.pk},
        WHOLE_SCHOOL,
    ),
    ("reports:run_detail", lambda w: [_unpublished_run(w).pk], lambda w: {"action": "publish"}, WHOLE_SCHOOL),
    ("reports:comments", lambda w: [], lambda w: {f"c-{w.child.pk}": "A good term."}, {"tutor", "mentor"}),
]
