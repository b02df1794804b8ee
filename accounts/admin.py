from django.contrib import admin

from accounts.models import (
    Account,
    CashWithdrawal,
    Client,
    Household,
    ModelAssignment,
    PreferenceSet,
    Restriction,
    Screen,
    Substitution,
)


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("name", "firm", "advisor")
    list_filter = ("firm",)
    search_fields = ("name",)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "household", "firm")
    list_filter = ("firm",)
    search_fields = ("last_name", "first_name")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("account_number", "name", "firm", "tax_status", "custodian", "household")
    list_filter = ("firm", "tax_status", "custodian")
    search_fields = ("account_number", "name")
    raw_id_fields = ("household", "client", "advisor")


@admin.register(PreferenceSet)
class PreferenceSetAdmin(admin.ModelAdmin):
    list_display = ("id", "firm", "household", "account", "short_term_rate", "long_term_rate")
    list_filter = ("firm",)
    raw_id_fields = ("household", "account")


@admin.register(Restriction, Screen, Substitution)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "firm", "household", "account")
    list_filter = ("firm",)
    raw_id_fields = ("household", "account")


@admin.register(CashWithdrawal)
class CashWithdrawalAdmin(admin.ModelAdmin):
    list_display = ("account", "amount_usd", "frequency", "start_date", "end_date", "firm")
    list_filter = ("firm", "frequency")
    raw_id_fields = ("account",)


@admin.register(ModelAssignment)
class ModelAssignmentAdmin(admin.ModelAdmin):
    list_display = ("account", "model", "firm", "assigned_at")
    list_filter = ("firm",)
    raw_id_fields = ("account",)
