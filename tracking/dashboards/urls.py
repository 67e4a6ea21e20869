from django.urls import path

from tracking.dashboards import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/attainment8/", views.attainment8, name="dashboard_attainment8"),
    path("dashboard/variation/", views.variation, name="dashboard_variation"),
    path("dashboard/trust/", views.trust, name="dashboard_trust"),
    path("dashboard/board/", views.board_settings, name="data_board_settings"),
    path("board/<str:token>/", views.data_board, name="data_board"),
    path("board/<str:token>/colours.css", views.data_board_colours, name="data_board_colours"),
    path("dashboard/progress-estimates/", views.progress_estimates, name="progress_estimates"),
]
