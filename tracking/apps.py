from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def drop_held_triggers(using, **kwargs):
    """Before every migrate: no held-standing trigger (SQLite cannot rebuild a table one names)."""
    from tracking.standing.held import drop_triggers

    drop_triggers(connections[using])


def install_held_triggers(using, plan=None, **kwargs):
    """After every migrate: the triggers keeping held standings true, and when migrations were applied,
    every held standing worked out again (nothing watched while they ran)."""
    from tracking.standing.held import install_triggers

    install_triggers(connections[using], migrated=bool(plan))


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Tracking"

    def ready(self):
        pre_migrate.connect(drop_held_triggers, sender=self, dispatch_uid="held_standing_triggers_off")
        post_migrate.connect(install_held_triggers, sender=self, dispatch_uid="held_standing_triggers")
        # Tasks live in feature packages, not tracking/tasks.py: import them so workers know them.
        import tracking.cycle.tasks  # noqa: F401
        import tracking.mis.tasks  # noqa: F401
        import tracking.oversight.tasks  # noqa: F401
        import tracking.standing.tasks  # noqa: F401
        from tracking import permissions, signals
        from tracking.cycle import scheduler
        from tracking.cycle.queries import home_panel
        from tracking.cycle.services import cycle_events
        from tracking.cycle.verification import verify_cycle_grades
        from tracking.dashboards import decisions
        from tracking.demo.targets import build_target_demo
        from tracking.marksheets.queries import panel_context
        from tracking.mis.jobs import tidy_events
        from tracking.privacy.retention import retention_events
        from tracking.school import home, navigation, panels
        from tracking.signin import receivers  # noqa: F401
        from tracking.targets.services import propose_raises_when_verified

        scheduler.register_event_source(cycle_events)
        scheduler.register_event_source(retention_events)
        scheduler.register_event_source(tidy_events)
        signals.demo_school_built.connect(build_target_demo, dispatch_uid="targets_demo")
        # Grades become what families see before anything acts on them.
        signals.cycle_stage_entered.connect(verify_cycle_grades, dispatch_uid="grades_verified_for_families")
        signals.cycle_stage_entered.connect(
            propose_raises_when_verified, dispatch_uid="targets_raises_after_verification"
        )

        navigation.register("Home", "home", permissions.is_signed_in, order=0)
        navigation.register(
            "Pupils",
            "pupil_list",
            permissions.is_staff_member,
            order=20,
            description="Find a pupil you work with",
        )
        navigation.register(
            "Groups", "group_list", permissions.is_staff_member, order=30, description="Teaching groups"
        )
        navigation.register(
            "Completion",
            "completion",
            permissions.can_see_completion,
            order=40,
            description="Which marksheets are finished, and who to chase",
        )
        navigation.register(
            "Master grids",
            "master_chooser",
            permissions.can_browse_master_grids,
            order=45,
            description="Department master tracking grids",
        )
        home.register(
            "tracking/panels/_completion.html", permissions.can_see_completion, panels.completion, order=15
        )
        navigation.register(
            "Targets",
            "target_overview",
            permissions.is_staff_member,
            order=40,
            description="Target grades: generate, agree, publish, review",
        )
        navigation.register(
            "Admin",
            "admin:index",
            permissions.can_use_admin,
            order=900,
            description="Scales, assessment points, people",
        )
        navigation.register(
            "Marksheets",
            "marksheet_list",
            permissions.can_list_marksheets,
            order=15,
            description="Enter grades for your groups",
        )
        home.register(
            "tracking/panels/_my_marksheets.html", permissions.shows_marksheet_panel, panel_context, order=5
        )
        home.register("tracking/panels/_children.html", permissions.is_guardian, panels.children, order=10)
        home.register("tracking/panels/_my_groups.html", panels.teaches_groups, panels.my_groups, order=20)
        home.register("tracking/panels/_my_form.html", panels.tutors_form, panels.my_form, order=30)
        home.register(
            "tracking/panels/_school.html", permissions.is_whole_school, panels.school_summary, order=40
        )
        navigation.register(
            "Tracking cycle",
            "cycle_calendar",
            permissions.can_view_cycles,
            order=60,
            description="The year's data uplifts, verification and health checks",
        )
        home.register("tracking/cycle/_panel.html", permissions.can_view_cycles, home_panel, order=35)
        decisions.register_tracking_queues()
        home.register(
            "tracking/dashboards/_decisions.html", decisions.has_decisions, decisions.panel, order=3
        )
        navigation.register("Failed tasks", "failed_tasks", permissions.is_data_manager, order=90)
        navigation.register(
            "Dashboard",
            "dashboard",
            permissions.can_see_dashboard,
            order=5,
            description="How year groups, subjects and groups stand against target, with gaps and A8/P8",
        )
        navigation.register(
            "Year lists",
            "dashboard_year_lists",
            permissions.is_year_leader,
            order=6,
            description="Commendations and concerns after each assessment point; the transition report",
        )
        navigation.register(
            "Trust",
            "dashboard_trust",
            permissions.can_see_trust_dashboard,
            order=6,
            description="The trust's schools side by side",
        )
        navigation.register(
            "Data Board",
            "data_board_settings",
            permissions.can_manage_data_board,
            order=86,
            description="The staffroom screen: its private link and what it shows",
        )
        navigation.register(
            "Security log",
            "security_log",
            permissions.can_read_security_log,
            order=95,
            description="Who signed in, changed and downloaded what",
        )
        navigation.register(
            "Set-up",
            "setup_home",
            permissions.can_set_up_school,
            order=84,
            description="What the school still needs: calendar, scales, subjects, assessment points",
        )
        navigation.register(
            "Imports",
            "import_list",
            permissions.can_import,
            order=85,
            description="Bring pupils, staff, groups and results in from your MIS (CSV, XLSX or CTF)",
        )
