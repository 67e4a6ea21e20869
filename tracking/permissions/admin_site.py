"""The Django admin: who may use it and which school's rows they see there."""

from tracking.models import School
from tracking.permissions.core import access_for, is_data_manager

# -- the admin ------------------------------------------------------------------------------------
# A platform operator (a superuser, who belongs to no school) runs the installation. A school's data
# manager (or the trust's team) with admin access sees only their school's rows, and only in Uplift's
# own apps; everything here is asked by config/admin.py and the admin permission backend.

ADMIN_APPS = {"tracking", "mentoring", "interventions", "reports"}
# Changed only through their services, which validate and audit: shown in the admin, never edited.
ADMIN_READ_ONLY = {
    "tracking.gradeentry",
    "tracking.target",
    "tracking.targetraiseproposal",
    "tracking.auditevent",
    "tracking.cycletransition",
    "tracking.healthcheck",
}
# Installation-wide: the operator's alone.
ADMIN_OPERATOR_ONLY = {"tracking.signinattempt", "tracking.scheduledeventrun"}
# A school may correct its own record but not create or remove schools.
ADMIN_NO_ADD_OR_DELETE = {"tracking.school", "tracking.user"}
# Fields of a login that only the operator may set.
ADMIN_OPERATOR_FIELDS = ("is_superuser", "is_staff", "is_trust_admin", "groups", "user_permissions")


def is_platform_operator(user):
    return bool(user.is_authenticated and user.is_active and user.is_superuser and user.school_id is None)


def can_use_admin(user):
    """The operator, and data managers or trust staff whose login has admin access (is_staff)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return is_platform_operator(user) or is_data_manager(user)


_school_paths = {}


def school_path(model):
    """The lookup from a model to its school ("school", "staff__school", ...), or None if it has none."""
    if model in _school_paths:
        return _school_paths[model]
    path = None
    if model is School:
        path = "pk"
    else:
        frontier = [(model, "")]
        for _ in range(3):
            step = []
            for current, prefix in frontier:
                for field in current._meta.concrete_fields:
                    if not field.many_to_one and not field.one_to_one:
                        continue
                    if field.related_model is School:
                        path = f"{prefix}{field.name}"
                        break
                    step.append((field.related_model, f"{prefix}{field.name}__"))
                if path:
                    break
            if path:
                break
            frontier = step
    _school_paths[model] = path
    return path


def school_id_of(obj):
    """The school an object belongs to, following school_path (None for installation-wide rows)."""
    path = school_path(type(obj))
    if path is None:
        return None
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def admin_scope(user, queryset):
    """The rows of a queryset this user may see in the admin (lists, choice lists and lookups)."""
    if is_platform_operator(user):
        return queryset
    path = school_path(queryset.model)
    if path is None or not can_use_admin(user) or queryset.model._meta.app_label not in ADMIN_APPS:
        return queryset.none()
    return queryset.filter(**{f"{path}__in": access_for(user).school_ids})


def admin_may(user, model, action):
    """May this user `action` ("view", "add", "change", "delete") rows of `model` in the admin?"""
    if is_platform_operator(user):
        return True
    if not can_use_admin(user):
        return False
    label = model._meta.label_lower
    if model._meta.app_label not in ADMIN_APPS or school_path(model) is None or label in ADMIN_OPERATOR_ONLY:
        return False
    if label in ADMIN_READ_ONLY:
        return action == "view"
    if label in ADMIN_NO_ADD_OR_DELETE and action in ("add", "delete"):
        return action == "add" and label == "tracking.user"
    return True
