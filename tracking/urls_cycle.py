from django.urls import path

from . import views_cycle as v

urlpatterns = [
    path("cycles/", v.cycle_calendar, name="cycle_calendar"),
    path("cycles/<int:pk>/", v.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/dates/", v.cycle_dates, name="cycle_dates"),
    path("cycles/<int:pk>/do/<slug:action>/", v.cycle_action, name="cycle_action"),
    path("cycles/<int:pk>/verify/", v.cycle_verify, name="cycle_verify"),
    path("cycles/<int:pk>/health/", v.health_check_list, name="health_check_list"),
    path("cycles/<int:pk>/health/<int:department_pk>/", v.health_check_detail, name="health_check_detail"),
    path(
        "cycles/<int:pk>/health/<int:department_pk>/chart.svg",
        v.health_check_chart,
        name="health_check_chart",
    ),
    path("cycles/<int:pk>/health/<int:department_pk>/pdf/", v.health_check_pdf, name="health_check_pdf"),
    path("cycles/<int:pk>/report/", v.cycle_report, name="cycle_report"),
    path("tasks/failed/", v.failed_tasks, name="failed_tasks"),
    path("tasks/failed/<int:pk>/retry/", v.failed_task_retry_view, name="failed_task_retry"),
]
