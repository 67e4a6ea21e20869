from django.urls import path

from tracking.marksheets import reopen_requests, views

urlpatterns = [
    path("marksheets/", views.marksheet_list, name="marksheet_list"),
    path("marksheets/<int:group_id>/<int:point_id>/", views.marksheet, name="marksheet"),
    path(
        "marksheets/<int:group_id>/<int:point_id>/rows/<int:pupil_id>/",
        views.marksheet_row,
        name="marksheet_row",
    ),
    path(
        "marksheets/<int:group_id>/<int:point_id>/rows/<int:pupil_id>/light/",
        views.marksheet_light,
        name="marksheet_light",
    ),
    path(
        "marksheets/<int:group_id>/<int:point_id>/reopen/",
        views.marksheet_reopen,
        name="marksheet_reopen",
    ),
    path(
        "marksheets/<int:group_id>/<int:point_id>/verify/",
        views.marksheet_verify,
        name="marksheet_verify",
    ),
    path("points/<int:point_id>/reopen/", views.point_reopen, name="point_reopen"),
    path(
        "marksheets/<int:group_id>/<int:point_id>/reopen-request/",
        reopen_requests.reopen_request,
        name="marksheet_reopen_request",
    ),
    path("reopen-requests/", reopen_requests.reopen_requests, name="reopen_requests"),
    path(
        "reopen-requests/<int:pk>/decide/",
        reopen_requests.reopen_request_decide,
        name="reopen_request_decide",
    ),
]
