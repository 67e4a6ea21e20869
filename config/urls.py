from django.contrib import admin
from django.urls import include, path

from tracking.signin.views import admin_sign_in

admin.site.site_header = "Uplift administration"
admin.site.site_title = "Uplift admin"

urlpatterns = [
    path("accounts/", include("tracking.signin.urls")),
    path("admin/login/", admin_sign_in),
    path("admin/", admin.site.urls),
    path("", include("tracking.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("interventions/", include("interventions.urls")),
    path("reports/", include("reports.urls")),
]
