from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from . import security_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", login_not_required(views.LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("reauth/", views.reauth, name="reauth"),
    path("2fa/setup/", security_views.two_factor_setup, name="2fa-setup"),
    path("2fa/qr.svg", security_views.two_factor_qr, name="2fa-qr"),
    path("2fa/verify/", security_views.two_factor_verify, name="2fa-verify"),
    path("2fa/", security_views.recovery_codes, name="2fa-manage"),
    path("lockouts/", security_views.lockouts, name="lockouts"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:home")
        ),
        name="password-change",
    ),
    # Activation and invitations reuse Django's password-reset token machinery.
    path(
        "set-password/<uidb64>/<token>/",
        login_not_required(
            auth_views.PasswordResetConfirmView.as_view(
                template_name="accounts/password_set.html",
                success_url=reverse_lazy("accounts:password-set-done"),
                post_reset_login=True,
                post_reset_login_backend="django.contrib.auth.backends.ModelBackend",
            )
        ),
        name="password-set",
    ),
    path(
        "set-password/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_set_done.html"),
        name="password-set-done",
    ),
]

# API tokens, self-service (issue 6).
from . import tokens as _tokens  # noqa: E402

urlpatterns += [
    path("api-token/", _tokens.tokens, name="tokens"),
    path("api-token/revoke/", _tokens.token_revoke, name="token-revoke"),
]
