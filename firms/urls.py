from django.contrib.auth import views as auth_views
from django.urls import path

from firms.views import auth, firm_admin, firm_security, security

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
    path("firm/members/", firm_admin.firm_members, name="firm_members"),
    path("firm/members/<int:user_id>/role/", firm_admin.member_role, name="member_role"),
    path("firm/members/<int:user_id>/remove/", firm_admin.member_remove_view, name="member_remove"),
    path("firm/api-keys/", firm_admin.firm_api_keys_page, name="firm_api_keys"),
    path(
        "firm/api-keys/<int:key_id>/revoke/",
        firm_admin.api_key_revoke_view,
        name="firm_api_key_revoke",
    ),
    path("firm/settings/", firm_admin.firm_settings, name="firm_settings"),
    path("firm/settings/four-eyes/", firm_admin.four_eyes, name="firm_four_eyes"),
    path("firm/settings/review-rules/", firm_admin.review_rules, name="firm_review_rules"),
    path("set-password/<str:uidb64>/<str:token>/", firm_admin.set_password, name="set_password"),
]
