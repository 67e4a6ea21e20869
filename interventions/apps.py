from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = "Interventions"

    def ready(self):
        from tracking.cycle.report import register_section
        from tracking.school import home, navigation
        from tracking.signals import cycle_stage_entered, demo_school_built

        from . import access, demo, handlers, panels, report

        cycle_stage_entered.connect(handlers.on_cycle_stage_entered, dispatch_uid="interventions-cycle")
        demo_school_built.connect(demo.add_demo_flags, dispatch_uid="interventions-demo")
        navigation.register(
            "Flags",
            "interventions:flag_list",
            access.can_see_flags_page,
            order=50,
            description="Pupils who need action",
        )
        register_section(report.TEMPLATE, report.cycle_section, order=50)
        home.register("interventions/panels/_my_flags.html", panels.has_open_flags, panels.my_flags, order=15)
        self._ready_plans_and_sessions()

    def _ready_plans_and_sessions(self):
        from tracking import home, navigation, pupil_sections, scheduler

        from .plans import access as plans_access
        from .plans import panels as plan_panels
        from .plans import tasks as plan_tasks  # noqa: F401  (registers the Celery task)
        from .sessions import access as sessions_access
        from .sessions import panels as session_panels
        from .sessions import schedule

        navigation.register(
            "Plans",
            "interventions:plan_list",
            plans_access.can_see_plan_lists,
            order=51,
            description="Intervention plans at three levels",
        )
        navigation.register(
            "Sessions",
            "interventions:session_week",
            sessions_access.can_request,
            order=52,
            description="After-school and lunchtime sessions, registers",
        )
        scheduler.register_event_source(schedule.monday_events)
        pupil_sections.register(plan_panels.TEMPLATE, plan_panels.pupil_section, order=20)
        pupil_sections.register(session_panels.PUPIL_TEMPLATE, session_panels.pupil_section, order=30)
        home.register(
            "interventions/panels/_tutor_timetables.html",
            session_panels.tutors_a_form,
            session_panels.tutor_timetables,
            order=16,
        )
        home.register(
            "interventions/panels/_follow_ups.html",
            session_panels.has_follow_ups,
            session_panels.follow_up_panel,
            order=17,
        )
