from django.urls import path

from . import views

app_name = "mentoring"
urlpatterns = [
    path("allocation/", views.allocation, name="allocation"),
    path("mentees/", views.mentees, name="mentees"),
    path("mentees/<int:pupil_id>/", views.mentee, name="mentee"),
    path("compliance/", views.compliance, name="compliance"),
]
