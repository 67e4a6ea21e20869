from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Mentoring"

    def ready(self):
        import tracking.dashboards.concerns
        from tracking import permissions
        from tracking.cycle import scheduler
        from tracking.privacy.retention import register_retention_step
        from tracking.school import home, navigation, pupil_sections
        from tracking.signals import demo_school_built

        from . import concerns, demo, panels, scopes, services, tasks  # noqa: F401  (tasks: the failed-task page knows their school)
        from .rag import schedule
        from .rag.access import can_see_rag
        from .rag.tasks import make_rag_sheets  # noqa: F401  (the worker's RAG sheets task)

        home.register("mentoring/panels/_mentees.html", panels.has_mentees, panels.my_mentees, order=25)
        home.register("mentoring/panels/_rag_open.html", panels.rag_is_open_for, panels.rag_to_do, order=12)
        pupil_sections.register_action(panels.slip_action, order=20)
        permissions.register_pupil_scope(scopes.mentees)
        permissions.register_pastoral_scope(scopes.mentees)
        tracking.dashboards.concerns.register(concerns.undiscussed_slips)
        navigation.register(
            "Mentors",
            "mentoring:allocation",
            permissions.can_allocate_mentors,
            order=50,
            description="Allocate academic mentors and balance their caseloads",
        )
        navigation.register(
            "Mentees",
            "mentoring:mentees",
            permissions.can_mentor,
            order=49,
            description="Your mentees: grades, standing, flags and meetings",
        )
        navigation.register(
            "Slips",
            "mentoring:slips",
            permissions.can_see_slips,
            order=49,
            description="Mentoring slips: tell a pupil's mentor what went well or what worries you",
        )
        navigation.register(
            "RAG",
            "mentoring:rag_home",
            can_see_rag,
            order=51,
            description="The monthly Academic RAG: ratings, comments, actions and printed sheets",
        )
        scheduler.register_event_source(schedule.monthly_windows)
        scheduler.register_event_source(schedule.nightly_sheet_expiry)
        from .rag import decisions

        decisions.register()
        register_retention_step(services.free_text_forget)
        demo_school_built.connect(demo.add_demo_mentoring, dispatch_uid="mentoring-demo")
