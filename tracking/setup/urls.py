from django.urls import path

from tracking.setup import views

urlpatterns = [
    path("setup/", views.setup_home, name="setup_home"),
    path("setup/calendar/", views.setup_calendar, name="setup_calendar"),
    path("setup/scales/", views.setup_scales, name="setup_scales"),
    path("setup/scales/<int:pk>/", views.setup_scale, name="setup_scale"),
    path("setup/subjects/", views.setup_subjects, name="setup_subjects"),
    path("setup/subjects/<int:pk>/", views.setup_subject, name="setup_subject"),
    path("setup/points/", views.setup_points, name="setup_points"),
    path("setup/points/<int:pk>/", views.setup_point, name="setup_point"),
    path("setup/school/", views.setup_school, name="setup_school"),
    path("setup/export/", views.setup_export, name="setup_export"),
    path("setup/staff/", views.setup_staff, name="setup_staff"),
    path("setup/staff/<int:pk>/", views.setup_staff_member, name="setup_staff_member"),
    path(
        "setup/staff/<int:pk>/roles/<int:role_pk>/remove/", views.setup_role_remove, name="setup_role_remove"
    ),
]
