from django.urls import path

from . import book, household_management, preferences

urlpatterns = [
    path("households/", book.HouseholdListCreateApi.as_view(), name="households"),
    path("households/<int:household_id>/", book.HouseholdDetailApi.as_view(), name="household"),
    path(
        "households/<int:household_id>/preferences/",
        preferences.HouseholdPreferencesApi.as_view(),
        name="household-preferences",
    ),
    path(
        "households/<int:household_id>/management/",
        household_management.HouseholdManagementApi.as_view(),
        name="household-management",
    ),
    path(
        "households/<int:household_id>/held-away/",
        household_management.HouseholdHeldAwayApi.as_view(),
        name="household-held-away",
    ),
    path("clients/", book.ClientListCreateApi.as_view(), name="clients"),
    path("accounts/", book.AccountListCreateApi.as_view(), name="accounts"),
    path("accounts/<int:account_id>/", book.AccountDetailApi.as_view(), name="account"),
    path(
        "accounts/<int:account_id>/model/",
        book.AccountModelAssignApi.as_view(),
        name="account-model",
    ),
    path(
        "accounts/<int:account_id>/preferences/",
        preferences.AccountPreferencesApi.as_view(),
        name="account-preferences",
    ),
]
