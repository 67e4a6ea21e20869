from django.urls import path

from tracking.audit import views

urlpatterns = [
    path("security-log/", views.security_log, name="security_log"),
]
