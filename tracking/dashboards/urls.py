from django.urls import path

from tracking.dashboards import attainment8_views, board_views, pastoral_views, views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/attainment8/", attainment8_views.attainment8, name="dashboard_attainment8"),
    path(
        "dashboard/attainment8/pupils/<int:pk>/",
        attainment8_views.pupil_slots,
        name="dashboard_attainment8_pupil",
    ),
    path("dashboard/variation/", views.variation, name="dashboard_variation"),
    path("dashboard/trust/", views.trust, name="dashboard_trust"),
    path("dashboard/board/", board_views.board_settings, name="data_board_settings"),
    path("board/<str:token>/", board_views.data_board, name="data_board"),
    path("board/<str:token>/colours.css", board_views.data_board_colours, name="data_board_colours"),
    path("dashboard/progress-estimates/", attainment8_views.progress_estimates, name="progress_estimates"),
    path("dashboard/year-lists/", pastoral_views.year_lists_view, name="dashboard_year_lists"),
    path("dashboard/transition/", pastoral_views.transition_report, name="dashboard_transition"),
    path("dashboard/forms/<int:pk>/", pastoral_views.tutor_view, name="dashboard_tutor"),
]
