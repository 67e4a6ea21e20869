from django.apps import AppConfig


def _demo_plans_and_sessions(sender, built, **kwargs):
    from .impact.demo import add_demo_history
    from .plans.demo import add_demo_plans
    from .sessions.demo import add_demo_sessions

    add_demo_plans(built)
    add_demo_sessions(built)
    add_demo_history(built)  # last: this year's plans and warnings are chosen from this year's flags


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = "Interventions"

    def ready(self):
        import tracking.dashboards.concerns
        from tracking import permissions
        from tracking.cycle.report import register_section
        from tracking.school import home, navigation
        from tracking.signals import cycle_stage_entered, demo_school_built

        from . import access, concerns, demo, handlers, panels, report

        tracking.dashboards.concerns.register(concerns.open_flags)
        tracking.dashboards.concerns.register(concerns.active_plans)

        cycle_stage_entered.connect(handlers.on_cycle_stage_entered, dispatch_uid="interventions-cycle")
        demo_school_built.connect(demo.add_demo_flags, dispatch_uid="interventions-demo")
        # After the flags: plans answer them and session requests follow from them.
        demo_school_built.connect(_demo_plans_and_sessions, dispatch_uid="interventions-plans-demo")
        navigation.register(
            "Flags",
            "interventions:flag_list",
            access.can_see_flags_page,
            order=50,
            description="Pupils who need action",
        )
        navigation.register(
            "SEN",
            "interventions:sen",
            permissions.can_see_sen_view,
            order=7,
            description="SEN pupils' progress against the rest, by need and subject, with plans and sessions",
        )
        register_section(report.TEMPLATE, report.cycle_section, order=50)
        home.register("interventions/panels/_my_flags.html", panels.has_open_flags, panels.my_flags, order=15)
        self._ready_plans_and_sessions()
        from .plans import decisions

        decisions.register()

    def _ready_plans_and_sessions(self):
        # Full paths: every feature package has its own access, panels and views.
        import interventions.agreements.access
        import interventions.impact.access
        import interventions.impact.views
        import interventions.plans.access
        import interventions.plans.panels
        import interventions.plans.tasks  # noqa: F401  (registers the Celery task)
        import interventions.sessions.access
        import interventions.sessions.panels
        from interventions.sessions import schedule
        from tracking.cycle import scheduler
        from tracking.cycle.report import register_section
        from tracking.school import home, navigation, pupil_sections

        navigation.register(
            "Plans",
            "interventions:plan_list",
            interventions.plans.access.can_see_plan_lists,
            order=51,
            description="Intervention plans at three levels",
        )
        navigation.register(
            "Sessions",
            "interventions:session_week",
            interventions.sessions.access.can_request,
            order=52,
            description="After-school and lunchtime sessions, registers",
        )
        navigation.register(
            "Impact",
            "interventions:impact",
            interventions.impact.access.can_see_impact,
            order=53,
            description="Plans and sessions against similar pupils",
        )
        navigation.register(
            "Agreements",
            "interventions:agreement_list",
            interventions.agreements.access.can_see_agreements,
            order=54,
            description="Agreement for Examination Success: chase list",
        )
        register_section(
            interventions.impact.views.TEMPLATE, interventions.impact.views.cycle_section, order=55
        )
        scheduler.register_event_source(schedule.monday_events)
        pupil_sections.register(
            interventions.plans.panels.TEMPLATE, interventions.plans.panels.pupil_section, order=20
        )
        pupil_sections.register(
            interventions.sessions.panels.PUPIL_TEMPLATE,
            interventions.sessions.panels.pupil_section,
            order=30,
        )
        home.register(
            "interventions/panels/_tutor_timetables.html",
            interventions.sessions.panels.tutors_a_form,
            interventions.sessions.panels.tutor_timetables,
            order=16,
        )
        home.register(
            "interventions/panels/_follow_ups.html",
            interventions.sessions.panels.has_follow_ups,
            interventions.sessions.panels.follow_up_panel,
            order=17,
        )
