"""Sign-in, two-step sign-in and password-reset pages: Django's views with Uplift's throttled forms."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import forms, mfa, throttle
from .receivers import security_event


def _next_url(request, default="home"):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


class SignInView(auth_views.LoginView):
    authentication_form = forms.SignInForm


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.ThrottledPasswordResetForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # A new password ends a lock: the owner proved they hold the account's email.
        throttle.signin_failures_clear(username=form.user.get_username())
        security_event("security.password_reset.completed", request=self.request, account=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        security_event("security.password.changed", request=self.request, account=form.user, by=form.user)
        return response


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # Marksheet drafts live in localStorage: nothing typed stays on a shared computer after
        # sign-out (uplift.js also removes them before the form is sent, for browsers without this).
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


def admin_sign_in(request):
    """The admin signs in through Uplift's own page: one throttled door, then the second step."""
    return redirect(mfa.url_with_next("login", _next_url(request, default="/admin/")))


@login_required
def mfa_verify(request):
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not mfa.has_app(request.user):
        return redirect(mfa.url_with_next("mfa_setup", next_url))
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.verify(request=request, token=form.cleaned_data["code"]) is not None:
            return redirect(next_url)
        security_event("security.mfa.failed", request=request, account=request.user, by=request.user)
        form.add_error(
            "code",
            "That code did not work. Check the time on your phone is right, wait for the next code "
            "and try again; after several wrong codes each try must wait a little longer.",
        )
    return render(request, "registration/mfa_verify.html", {"form": form, "next": next_url})


@login_required
def mfa_setup(request):
    next_url = _next_url(request)
    if mfa.has_app(request.user) and not request.user.is_verified():
        return redirect(mfa.url_with_next("mfa_verify", next_url))
    device = mfa.pending_app(user=request.user)
    form = forms.AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.app_confirm(request=request, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            security_event("security.mfa.enabled", request=request, account=request.user, by=request.user)
            return render(request, "registration/mfa_codes.html", {"codes": codes, "next": next_url})
        form.add_error(
            "code", "That code did not match. Check the app shows Uplift, and type its newest code."
        )
    context = {
        "form": form,
        "next": next_url,
        "qr_code": mfa.qr_code_data_uri(device),
        "secret": mfa.secret_for_typing(device),
        "required": mfa.must_set_up(request.user, next_url),
    }
    return render(request, "registration/mfa_setup.html", context)


@login_required
def mfa_manage(request):
    context = {
        "enabled": mfa.has_app(request.user),
        "codes_left": mfa.recovery_codes_left(request.user),
        "required": mfa.must_set_up(request.user, ""),
    }
    return render(request, "registration/mfa_manage.html", context)


@login_required
@require_POST
def mfa_codes_new(request):
    if not (mfa.has_app(request.user) and request.user.is_verified()):
        return redirect("mfa_manage")
    codes = mfa.recovery_codes_replace(user=request.user)
    security_event("security.mfa.new_recovery_codes", request=request, account=request.user, by=request.user)
    return render(request, "registration/mfa_codes.html", {"codes": codes, "next": "mfa_manage"})


@login_required
@require_POST
def mfa_turn_off(request):
    if mfa.must_set_up(request.user, "") or not request.user.is_verified():
        return redirect("mfa_manage")
    mfa.mfa_remove(user=request.user)
    security_event("security.mfa.disabled", request=request, account=request.user, by=request.user)
    messages.success(request, "Two-step sign-in is off. You sign in with your password alone.")
    return redirect("mfa_manage")
