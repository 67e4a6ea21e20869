from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("settings/", views.layout_settings, name="settings"),
    path("preview/<int:pupil_pk>/", views.preview, name="preview"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/reports.zip", views.run_zip, name="run_zip"),
    path("runs/<int:pk>/print.pdf", views.run_print, name="run_print"),
    path("report/<int:pk>.pdf", views.report_download, name="report_download"),
    path("comments/", views.comments, name="comments"),
    path("family/<int:pupil_pk>/", views.family_child, name="family_child"),
]
