from django.urls import include, path

from . import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-step/", views.mfa_manage, name="mfa_manage"),
    path("two-step/verify/", views.mfa_verify, name="mfa_verify"),
    path("two-step/set-up/", views.mfa_setup, name="mfa_setup"),
    path("two-step/recovery-codes/", views.mfa_codes_new, name="mfa_codes_new"),
    path("two-step/turn-off/", views.mfa_turn_off, name="mfa_turn_off"),
    path("", include("django.contrib.auth.urls")),
]
