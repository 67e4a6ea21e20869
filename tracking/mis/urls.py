from django.urls import path

from tracking.mis import views

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/<slug:kind>/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/columns/", views.import_columns, name="import_columns"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import_commit"),
]
