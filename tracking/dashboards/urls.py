from django.urls import path

from tracking.dashboards.views import attainment8, board, cohort, pastoral, trend

urlpatterns = [
    path("dashboard/", cohort.dashboard, name="dashboard"),
    path("dashboard/trend/", trend.dashboard_trend, name="dashboard_trend"),
    path("dashboard/attainment8/", attainment8.attainment8, name="dashboard_attainment8"),
    path(
        "dashboard/attainment8/pupils/<int:pk>/",
        attainment8.pupil_slots,
        name="dashboard_attainment8_pupil",
    ),
    path("dashboard/variation/", cohort.variation, name="dashboard_variation"),
    path("dashboard/trust/", cohort.trust, name="dashboard_trust"),
    path("dashboard/trust/<int:pk>/trend/", trend.trust_trend, name="dashboard_trust_trend"),
    path("dashboard/board/", board.board_settings, name="data_board_settings"),
    path("board/<str:token>/", board.data_board, name="data_board"),
    path("board/<str:token>/colours.css", board.data_board_colours, name="data_board_colours"),
    path("dashboard/progress-estimates/", attainment8.progress_estimates, name="progress_estimates"),
    path("dashboard/year-lists/", pastoral.year_lists_view, name="dashboard_year_lists"),
    path("dashboard/transition/", pastoral.transition_report, name="dashboard_transition"),
    path("dashboard/forms/<int:pk>/", pastoral.tutor_view, name="dashboard_tutor"),
]
