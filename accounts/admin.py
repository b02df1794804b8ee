from django.contrib import admin

from accounts.models import (
    Account,
    AuditEvent,
    CashWithdrawal,
    Client,
    Firm,
    Household,
    Membership,
    PreferenceSet,
    Restriction,
    Screen,
    Substitution,
)


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "nightly_run_time", "require_four_eyes")
    search_fields = ("name", "slug")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "firm", "role", "is_active")
    list_filter = ("firm", "role")


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


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("at", "firm", "actor_label", "action", "object_type", "object_repr")
    list_filter = ("firm", "action", "object_type")
    search_fields = ("object_repr", "actor_label")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
