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
    ("marksheet_reopen", lambda w: [w.group.pk, w.point.pk], {"data_manager"}),
    ("point_reopen", lambda w: [w.point.pk], {"data_manager"}),
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
    ("import_detail", lambda w: [_import_job(w).pk], {"data_manager"}),
    ("import_commit", lambda w: [_import_job(w).pk], {"data_manager"}),
]


def _import_job(w):
    from tracking.models import ImportJob, ImportKind, ImportStatus

    return ImportJob.objects.create(
        school=w.school, kind=ImportKind.CTF, file_name="y7.xml", status=ImportStatus.REJECTED
    )


def _child_flag(world, scope):
    from tests.interventions.helpers import child_flag

    return child_flag(world, scope)


def _a_rule(world):
    from interventions.presets import install_presets

    return install_presets(world.school)["laude"].rules.order_by("pk").first()


# URL names that need no login or are framework pages, with why.
EXEMPT = {
    "healthz": "load-balancer probe, no data",
    "login": "auth",
    "logout": "auth",
    "password_change": "auth",
    "password_change_done": "auth",
    "password_reset": "auth",
    "password_reset_done": "auth",
    "password_reset_confirm": "auth",
    "password_reset_complete": "auth",
}
