from django.urls import reverse

from tracking import permissions
from tracking.school.navigation import groups_for, nav_for


def navigation(request):
    user = getattr(request, "user", None)
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
