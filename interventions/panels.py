"""The home-page panel "Your open flags"."""

from django.db.models import Count

from tracking import permissions

from . import access
from .models import FlagStatus


def _open_flags(user):
    return access.flags_visible_to(user).filter(status=FlagStatus.OPEN)


def has_open_flags(user):
    return permissions.is_staff_member(user) and _open_flags(user).exists()


def my_flags(user):
    flags = _open_flags(user)
    by_scope = {row["scope"]: row["n"] for row in flags.values("scope").annotate(n=Count("pk")).order_by()}
    top = list(flags.select_related("pupil", "subject").order_by("-level", "-raised_at", "pk")[:5])
    return {
        "total": sum(by_scope.values()),
        "by_scope": by_scope,
        "top": top,
        "whole_school": permissions.is_whole_school(user),
    }
