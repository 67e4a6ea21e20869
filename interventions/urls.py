from django.urls import path

from . import views

app_name = "interventions"
urlpatterns = [
    path("flags/", views.flag_list, name="flag_list"),
    path("flags/new/", views.flag_new, name="flag_new"),
    path("flags/<int:pk>/", views.flag_detail, name="flag_detail"),
    path("pupils/<int:pupil_pk>/flag/", views.flag_create, name="flag_create"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
]

from .plans import urls as plan_urls  # noqa: E402

urlpatterns += plan_urls.urlpatterns

from .sessions import urls as session_urls  # noqa: E402

urlpatterns += session_urls.urlpatterns

from .agreements import urls as agreement_urls  # noqa: E402

urlpatterns += agreement_urls.urlpatterns

from .impact import urls as impact_urls  # noqa: E402

urlpatterns += impact_urls.urlpatterns

from .sen import urls as sen_urls  # noqa: E402

urlpatterns += sen_urls.urlpatterns
