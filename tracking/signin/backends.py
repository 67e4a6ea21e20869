"""The one authentication backend: Django's, behind the sign-in throttle (so the admin's sign-in,
the site's and any other caller of authenticate() are all throttled)."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import throttle


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username is not None:
            refusal = throttle.signin_refusal(username=username, address=throttle.client_address(request))
            if refusal is not None:
                # Remembered for the form's message; PermissionDenied stops every other backend.
                request.uplift_signin_refusal = refusal
                raise PermissionDenied(refusal.message)
        return super().authenticate(request, username=username, password=password, **kwargs)


class SchoolAdminBackend:
    """Admin permissions from the permissions module, not from Django's per-user permission rows:
    a school's data manager may work on their own school's rows in Uplift's apps, nothing else.
    (The platform operator is a superuser and passes every check anyway.) Signs nobody in."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return None

    def has_perm(self, user, perm, obj=None):
        from django.apps import apps

        from .. import permissions

        app_label, _, codename = perm.partition(".")
        action, _, model_name = codename.partition("_")
        if action not in ("view", "add", "change", "delete"):
            return False
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return False
        if obj is not None and permissions.school_id_of(obj) not in permissions.access_for(user).school_ids:
            return permissions.is_platform_operator(user)
        return permissions.admin_may(user, model, action)

    def has_module_perms(self, user, app_label):
        from .. import permissions

        return permissions.can_use_admin(user) and (
            permissions.is_platform_operator(user) or app_label in permissions.ADMIN_APPS
        )
