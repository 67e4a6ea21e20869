from django.urls import include, path

from . import views, views_targets

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("theme.css", views.school_theme_css, name="school_theme_css"),
    path("pupils/", views.pupil_list, name="pupil_list"),
    path("pupils/<int:pk>/", views.pupil_detail, name="pupil_detail"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("targets/", views_targets.target_overview, name="target_overview"),
    path(
        "targets/pupil/<int:pupil_pk>/subject/<int:subject_pk>/",
        views_targets.target_detail,
        name="target_detail",
    ),
    path("targets/changes/", views_targets.target_changes, name="target_changes"),
    path("targets/raises/", views_targets.target_raises, name="target_raises"),
    path("targets/generate/", views_targets.target_generate, name="target_generate"),
    path("targets/flight-paths/", views_targets.flight_paths, name="flight_paths"),
    path("targets/flight-paths.csv", views_targets.flight_paths_csv, name="flight_paths_csv"),
    path(
        "targets/curricular/<str:kind>/<int:pk>/new/",
        views_targets.curricular_target_new,
        name="curricular_target_new",
    ),
    path("", include("tracking.urls_cycle")),
]
