from django.urls import include, path

from . import views, views_marksheets, views_oversight, views_targets

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("theme.css", views.school_theme_css, name="school_theme_css"),
    path("pupils/", views.pupil_list, name="pupil_list"),
    path("pupils/<int:pk>/", views.pupil_detail, name="pupil_detail"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("completion/", views_oversight.completion_page, name="completion"),
    path("completion/remind/", views_oversight.completion_remind, name="completion_remind"),
    path("master/", views_oversight.master_chooser, name="master_chooser"),
    path("master/<int:subject_id>/", views_oversight.master_detail, name="master_detail"),
    path("master/<int:subject_id>/export.<str:fmt>", views_oversight.master_export, name="master_export"),
    path("pupils/<int:pk>/history/", views_oversight.pupil_grade_history, name="pupil_grade_history"),
    path(
        "marksheets/<int:group_id>/<int:point_id>/history/",
        views_oversight.sheet_history,
        name="sheet_history",
    ),
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

urlpatterns += [
    path("marksheets/", views_marksheets.marksheet_list, name="marksheet_list"),
    path("marksheets/<int:group_id>/<int:point_id>/", views_marksheets.marksheet, name="marksheet"),
    path(
        "marksheets/<int:group_id>/<int:point_id>/rows/<int:pupil_id>/",
        views_marksheets.marksheet_row,
        name="marksheet_row",
    ),
    path(
        "marksheets/<int:group_id>/<int:point_id>/reopen/",
        views_marksheets.marksheet_reopen,
        name="marksheet_reopen",
    ),
    path("points/<int:point_id>/reopen/", views_marksheets.point_reopen, name="point_reopen"),
]
