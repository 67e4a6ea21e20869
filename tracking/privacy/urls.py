from django.urls import path

from tracking.privacy import views

urlpatterns = [
    path("pupils/<int:pk>/subject-access/", views.subject_access, name="subject_access"),
]
