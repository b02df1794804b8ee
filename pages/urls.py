from django.urls import path

from pages.views import audit, book, equivalents, gifts, models, preferences

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
    path("accounts/<int:account_id>/gifts/", gifts.account_gifts_page, name="account_gifts"),
    path(
        "accounts/<int:account_id>/gifts/<int:gift_id>/cancel/",
        gifts.account_gift_cancel,
        name="account_gift_cancel",
    ),
    path("accounts/<int:account_id>/lots.csv", book.account_lots_csv, name="account_lots_csv"),
    path("accounts/<int:account_id>/history/", audit.account_history_page, name="account_history"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("models/", models.models, name="models"),
    path("equivalence-sets/", equivalents.equivalence_sets, name="equivalence_sets"),
    path(
        "equivalence-sets/<int:set_id>/delete/",
        equivalents.equivalence_set_remove,
        name="equivalence_set_remove",
    ),
    path("models/<int:model_id>/", models.model_detail, name="model_detail"),
    path("models/<int:model_id>/settings/", models.model_settings, name="model_settings"),
    path("models/<int:model_id>/draft/", models.draft_edit, name="draft_edit"),
    path("models/<int:model_id>/compare/", models.versions_compare, name="versions_compare"),
    path("versions/<int:version_id>/", models.version_detail, name="version_detail"),
    path("versions/<int:version_id>/publish/", models.version_publish_view, name="version_publish"),
    path(
        "versions/<int:version_id>/publish/confirm/",
        models.version_publish_confirm,
        name="version_publish_confirm",
    ),
    path("securities/search/", models.security_search_view, name="security_search"),
    path("versions/<int:version_id>/what-if/", models.version_what_if_view, name="version_what_if"),
    path(
        "accounts/<int:account_id>/model/",
        models.account_model_assign,
        name="account_model_assign",
    ),
]
