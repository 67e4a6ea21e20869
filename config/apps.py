from django.contrib.admin.apps import AdminConfig


class UpliftAdminConfig(AdminConfig):
    """Django's admin, with Uplift's site (school tenancy, second sign-in step, audit)."""

    default_site = "config.admin_site.UpliftAdminSite"
