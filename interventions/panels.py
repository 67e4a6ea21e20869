"""The home-page panel "Your open flags"."""

from django.db.models import Count

from tracking import permissions

from . import access
from .models import FlagStatus


def _open_flags(user):
    return access.flags_visible_to(user).filter(status=FlagStatus.OPEN)


def has_open_flags(user):
    # Whether any are open is known from the panel's own count (None: no panel).
    return permissions.is_staff_member(user)


def my_flags(user):
    flags = _open_flags(user)
    by_scope = {row["scope"]: row["n"] for row in flags.values("scope").annotate(n=Count("pk")).order_by()}
    if not by_scope:
        return None
    top = list(flags.select_related("pupil", "subject").order_by("-level", "-raised_at", "pk")[:5])
    return {
        "total": sum(by_scope.values()),
        "by_scope": by_scope,
        "top": top,
        "whole_school": permissions.is_whole_school(user),
    }
