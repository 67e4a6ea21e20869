from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from tracking.school import navigation

        from . import permissions

        navigation.register(
            "Reports",
            "reports:run_list",
            permissions.can_run_reports,
            order=60,
            description="Make, check and publish reports to families",
        )
