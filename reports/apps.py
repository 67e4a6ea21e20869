from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from tracking.school import home, navigation
        from tracking.signals import demo_school_built

        from . import access, demo, panels, tasks  # noqa: F401 - tasks: workers and seed_demo know them

        navigation.register(
            "Report comments",
            "reports:comments",
            access.can_write_comments,
            order=61,
            description="Comments for your form's or mentees' reports",
        )
        home.register("reports/panels/_family.html", panels.is_family, panels.children, order=5)

        navigation.register(
            "Reports",
            "reports:run_list",
            access.can_run_reports,
            order=60,
            description="Make, check and publish reports to families",
        )
        demo_school_built.connect(demo.add_demo_reports, dispatch_uid="reports-demo")
