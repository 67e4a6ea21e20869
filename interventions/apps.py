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
