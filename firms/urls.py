from django.contrib.auth import views as auth_views
from django.urls import path

from firms.views import auth, firm_security, security

urlpatterns = [
    path("admin/login/", auth.admin_login),
    path("login/", auth.ThrottledLoginView.as_view(), name="login"),
    path("login/code/", auth.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reauth/", auth.reauth, name="reauth"),
    path("security/", security.security, name="security"),
    path("security/enrol/", security.mfa_enrol, name="mfa_enrol"),
    path("security/confirm/", security.mfa_confirm, name="mfa_confirm"),
    path("security/recovery-codes/", security.mfa_codes_regenerate, name="mfa_codes_regenerate"),
    path("security/turn-off/", security.mfa_turn_off, name="mfa_turn_off"),
    path("firm/security/", firm_security.firm_security, name="firm_security"),
    path(
        "firm/security/people/<int:user_id>/mfa-reset/",
        firm_security.member_mfa_reset,
        name="member_mfa_reset",
    ),
]
