"""Sign-in and password-reset forms that explain a throttle refusal plainly."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from . import throttle


class SignInForm(AuthenticationForm):
    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            # Refused before the password was checked, or this failure has just tipped the account
            # into a cool-off or lock: say so, rather than "wrong password" again.
            refusal = getattr(self.request, "uplift_signin_refusal", None) or throttle.signin_refusal(
                username=self.cleaned_data.get("username"), address=throttle.client_address(self.request)
            )
            if refusal is None:
                raise
            raise forms.ValidationError(refusal.message, code=refusal.code) from None


class ThrottledPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        self.send_allowed = False

    def clean(self):
        data = super().clean()
        email = data.get("email")
        if email:
            address = throttle.client_address(self.request)
            refusal = throttle.reset_refusal(address=address)
            if refusal is not None:
                raise forms.ValidationError(refusal.message, code=refusal.code)
            self.send_allowed = throttle.reset_request_record(email=email, address=address)
            from .receivers import security_event

            account = next(iter(self.get_users(email)), None)
            security_event(
                "security.password_reset.requested",
                request=self.request,
                account=account,
                email=email,
                sent=bool(account is not None and self.send_allowed),
            )
        return data

    def save(self, *args, **kwargs):
        if self.send_allowed:
            super().save(*args, **kwargs)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"}
        ),
    )


class AppCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="Six digits, shown by the app once you have scanned or typed the key.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
