from django.urls import include, path

urlpatterns = [
    path("", include("tracking.school.urls")),
    path("", include("tracking.marksheets.urls")),
    path("", include("tracking.oversight.urls")),
    path("", include("tracking.targets.urls")),
    path("", include("tracking.cycle.urls")),
    path("", include("tracking.mis.urls")),
    path("", include("tracking.setup.urls")),
    path("", include("tracking.privacy.urls")),
    path("", include("tracking.dashboards.urls")),
    path("", include("tracking.audit.urls")),
]
