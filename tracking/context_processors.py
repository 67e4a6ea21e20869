from django.urls import reverse

from tracking import permissions
from tracking.school.navigation import groups_for, nav_for


def navigation(request):
    """The nav, school and theme for the page, worked out once per request: every table rendered with
    django-tables2's {% render_table %} renders a template of its own, which runs the context
    processors again (seven times on the dashboard)."""
    user = getattr(request, "user", None)
    cached = getattr(request, "_uplift_navigation", None)
    if cached is not None and cached[0] is user:
        return cached[1]
    context = _navigation(request, user)
    request._uplift_navigation = (user, context)
    return context


def _navigation(request, user):
    if user is None or not user.is_authenticated:
        return {
            "nav": [],
            "nav_groups": [],
            "current_school": None,
            "theme_css_url": None,
            "switch_schools": [],
        }
    school = permissions.school_for(user)
    nav = nav_for(request)
    return {
        "nav": nav,
        "nav_groups": groups_for(nav),
        "current_school": school,
        "switch_schools": permissions.schools_to_switch_to(user),
        "theme_css_url": reverse("school_theme_css") if school else None,
    }
