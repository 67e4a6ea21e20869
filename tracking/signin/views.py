"""Sign-in and password-reset pages: Django's views with Uplift's throttled forms."""

from django.contrib.auth import views as auth_views

from . import forms, throttle


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
        return response
