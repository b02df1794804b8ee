from django.urls import path

from accounts.views import audit, book, preferences

urlpatterns = [
    path("", book.home, name="home"),
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
