"""The school switcher: trust staff work in one school of the trust at a time.

The choice lives in the session; TrustSchoolMiddleware hands it to the permissions module before
anything asks it, so every page, list and admin screen then shows that school only.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect

from tracking import audit, permissions
from tracking.signin import throttle


class TrustSchoolMiddleware:
    """Put a trust login's chosen school (from the session) on the user, for permissions.access_for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_trust_admin:
            user._uplift_school_choice = request.session.get(permissions.TRUST_SCHOOL_SESSION_KEY)
        return self.get_response(request)


@login_required
def school_switch(request):
    """Work in another school of the trust: checked against the schools this login may see, logged."""
    schools = permissions.schools_to_switch_to(request.user)
    permissions.require(schools.exists())  # nobody else learns that the page exists
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        school = schools.get(pk=request.POST.get("school"))
    except (ValueError, TypeError, schools.model.DoesNotExist):
        raise Http404("No such school") from None
    before = permissions.school_for(request.user)
    request.session[permissions.TRUST_SCHOOL_SESSION_KEY] = school.pk
    # Logged in the school switched to, so its data manager reads who from the trust came in.
    audit.record(
        action="security.school.switched",
        obj=request.user,
        by=request.user,
        before={"school": before.name if before else ""},
        after={"school": school.name, "address": throttle.client_address(request)},
        via="school switcher",
        school=school,
    )
    # The new school's home page: the page switched from may hold the other school's records.
    return redirect("home")
