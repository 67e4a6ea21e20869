"""The second sign-in step, enforced for every view (after django_otp's OTPMiddleware)."""

from django.shortcuts import redirect

from . import mfa

# Pages a signed-in but not yet verified user may open: the steps themselves and the way out.
OPEN_URL_NAMES = {
    "login",
    "logout",
    "mfa_verify",
    "mfa_setup",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "school_theme_css",
    "healthz",
}
SESSION_KEY = "uplift_mfa_app"


def remember_app(request, user):
    """Whether this user has an authenticator, kept in the session so pages need no extra query."""
    request.session[SESSION_KEY] = mfa.has_app(user)


class TwoStepMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.resolver_match.url_name in OPEN_URL_NAMES:
            return None
        if user.is_verified():
            return None
        next_url = request.get_full_path()
        if request.session.get(SESSION_KEY):
            return redirect(mfa.url_with_next("mfa_verify", next_url))
        if mfa.must_set_up(user, request.path):
            return redirect(mfa.url_with_next("mfa_setup", next_url))
        return None
