from django.urls import path

from tracking.dashboards import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/attainment8/", views.attainment8, name="dashboard_attainment8"),
    path("dashboard/progress-estimates/", views.progress_estimates, name="progress_estimates"),
]
