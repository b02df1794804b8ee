from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import audit, auth, book, firm_security, preferences, security

urlpatterns = [
    path("", book.home, name="home"),
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
    path("dashboard/", book.dashboard, name="dashboard"),
    path("households/", book.households, name="households"),
    path("households/<int:household_id>/", book.household_detail, name="household_detail"),
    path(
        "households/<int:household_id>/preferences/",
        preferences.household_preferences,
        name="household_preferences",
    ),
    path(
        "households/<int:household_id>/preferences/<str:kind>/",
        preferences.household_rule_add,
        name="household_rule_add",
    ),
    path(
        "households/<int:household_id>/preferences/<str:kind>/<int:rule_id>/remove/",
        preferences.household_rule_remove,
        name="household_rule_remove",
    ),
    path("accounts/", book.accounts, name="accounts"),
    path("accounts/<int:account_id>/", book.account_detail, name="account_detail"),
    path(
        "accounts/<int:account_id>/preferences/",
        preferences.account_preferences,
        name="account_preferences",
    ),
    path(
        "accounts/<int:account_id>/preferences/<str:kind>/",
        preferences.account_rule_add,
        name="account_rule_add",
    ),
    path(
        "accounts/<int:account_id>/preferences/<str:kind>/<int:rule_id>/remove/",
        preferences.account_rule_remove,
        name="account_rule_remove",
    ),
    path("accounts/<int:account_id>/history/", audit.account_history_page, name="account_history"),
    path("audit/", audit.audit_log, name="audit_log"),
]
