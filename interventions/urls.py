from django.urls import include, path

from . import views

app_name = "interventions"
urlpatterns = [
    path("flags/", views.flag_list, name="flag_list"),
    path("flags/new/", views.flag_new, name="flag_new"),
    path("flags/<int:pk>/", views.flag_detail, name="flag_detail"),
    path("pupils/<int:pupil_pk>/flag/", views.flag_create, name="flag_create"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    # Each feature's pages, named in this app's namespace (interventions:plan_list, ...).
    path("", include("interventions.plans.urls")),
    path("", include("interventions.sessions.urls")),
    path("", include("interventions.agreements.urls")),
    path("", include("interventions.impact.urls")),
    path("", include("interventions.sen.urls")),
]
