from django.urls import path

from tracking.setup import views

urlpatterns = [
    path("setup/", views.setup_home, name="setup_home"),
    path("setup/calendar/", views.setup_calendar, name="setup_calendar"),
    path("setup/scales/", views.setup_scales, name="setup_scales"),
    path("setup/subjects/", views.setup_subjects, name="setup_subjects"),
    path("setup/subjects/<int:pk>/", views.setup_subject, name="setup_subject"),
    path("setup/points/", views.setup_points, name="setup_points"),
    path("setup/points/<int:pk>/", views.setup_point, name="setup_point"),
]
