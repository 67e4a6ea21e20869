from django.urls import path

from tracking.targets.views import generation, overview, queue

urlpatterns = [
    path("targets/", overview.target_overview, name="target_overview"),
    path(
        "targets/pupil/<int:pupil_pk>/subject/<int:subject_pk>/",
        overview.target_detail,
        name="target_detail",
    ),
    path("targets/changes/", queue.target_changes, name="target_changes"),
    path("targets/raises/", queue.target_raises, name="target_raises"),
    path("targets/generate/", generation.target_generate, name="target_generate"),
    path("targets/flight-paths/", generation.flight_paths, name="flight_paths"),
    path("targets/flight-paths.csv", generation.flight_paths_csv, name="flight_paths_csv"),
    path(
        "targets/curricular/<str:kind>/<int:pk>/new/",
        overview.curricular_target_new,
        name="curricular_target_new",
    ),
]
