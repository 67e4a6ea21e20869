from django.urls import include, path

from . import views, views_marksheets

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("theme.css", views.school_theme_css, name="school_theme_css"),
    path("pupils/", views.pupil_list, name="pupil_list"),
    path("pupils/<int:pk>/", views.pupil_detail, name="pupil_detail"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
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
