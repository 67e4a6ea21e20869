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
        from tracking import permissions
        from tracking.cycle.report import register_section
        from tracking.dashboards import concerns as tracking_concerns
        from tracking.school import home, navigation
        from tracking.signals import cycle_stage_entered, demo_school_built

        from . import access, concerns, demo, handlers, panels, report

        tracking_concerns.register(concerns.open_flags)
        tracking_concerns.register(concerns.active_plans)

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
        from tracking.cycle import scheduler
        from tracking.cycle.report import register_section
        from tracking.school import home, navigation, pupil_sections

        from .agreements import access as agreements_access
        from .impact import access as impact_access
        from .impact import views as impact_views
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
        navigation.register(
            "Impact",
            "interventions:impact",
            impact_access.can_see_impact,
            order=53,
            description="Plans and sessions against similar pupils",
        )
        navigation.register(
            "Agreements",
            "interventions:agreement_list",
            agreements_access.can_see_agreements,
            order=54,
            description="Agreement for Examination Success: chase list",
        )
        register_section(impact_views.TEMPLATE, impact_views.cycle_section, order=55)
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
