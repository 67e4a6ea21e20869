from django.urls import path

from tracking.targets import generation_views, queue_views, views

urlpatterns = [
    path("targets/", views.target_overview, name="target_overview"),
    path(
        "targets/pupil/<int:pupil_pk>/subject/<int:subject_pk>/",
        views.target_detail,
        name="target_detail",
    ),
    path("targets/changes/", queue_views.target_changes, name="target_changes"),
    path("targets/raises/", queue_views.target_raises, name="target_raises"),
    path("targets/generate/", generation_views.target_generate, name="target_generate"),
    path("targets/flight-paths/", generation_views.flight_paths, name="flight_paths"),
    path("targets/flight-paths.csv", generation_views.flight_paths_csv, name="flight_paths_csv"),
    path(
        "targets/curricular/<str:kind>/<int:pk>/new/",
        views.curricular_target_new,
        name="curricular_target_new",
    ),
]
