from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Mentoring"

    def ready(self):
        from tracking import permissions
        from tracking.signals import demo_school_built

        from . import demo, scopes

        permissions.register_pupil_scope(scopes.mentees)
        demo_school_built.connect(demo.add_demo_mentoring, dispatch_uid="mentoring-demo")
