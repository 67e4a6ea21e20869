from django.urls import path

from tracking.cycle import views

urlpatterns = [
    path("cycles/", views.cycle_calendar, name="cycle_calendar"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/dates/", views.cycle_dates, name="cycle_dates"),
    path("cycles/<int:pk>/do/<slug:action>/", views.cycle_action, name="cycle_action"),
    path("cycles/<int:pk>/verify/", views.cycle_verify, name="cycle_verify"),
    path("cycles/<int:pk>/health/", views.health_check_list, name="health_check_list"),
    path(
        "cycles/<int:pk>/health/<int:department_pk>/", views.health_check_detail, name="health_check_detail"
    ),
    path(
        "cycles/<int:pk>/health/<int:department_pk>/chart.svg",
        views.health_check_chart,
        name="health_check_chart",
    ),
    path("cycles/<int:pk>/health/<int:department_pk>/pdf/", views.health_check_pdf, name="health_check_pdf"),
    path("cycles/<int:pk>/report/", views.cycle_report, name="cycle_report"),
    path("tasks/failed/", views.failed_tasks, name="failed_tasks"),
    path("tasks/failed/<int:pk>/retry/", views.failed_task_retry_view, name="failed_task_retry"),
]
