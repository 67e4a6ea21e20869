from django.urls import include, path

from . import views

app_name = "mentoring"
urlpatterns = [
    path("allocation/", views.allocation, name="allocation"),
    path("mentees/", views.mentees, name="mentees"),
    path("mentees/<int:pupil_id>/", views.mentee, name="mentee"),
    path("compliance/", views.compliance, name="compliance"),
    path("slips/", views.slips, name="slips"),
    path("slips/new/<int:pupil_id>/", views.slip_new, name="slip_new"),
    path("slips/<int:slip_id>/discussed/", views.slip_discussed, name="slip_discussed"),
    path("", include("mentoring.rag.urls")),  # the RAG pages, named in this namespace
]
