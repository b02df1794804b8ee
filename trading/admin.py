from django.contrib import admin

from trading.models import CashBalance, RealizedGain, TaxLot, Transaction


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin):
    list_display = ("external_id", "date", "type", "security", "quantity", "amount_usd", "account")
    list_filter = ("firm", "type")
    search_fields = ("external_id",)
    raw_id_fields = ("account", "security")


@admin.register(TaxLot)
class TaxLotAdmin(admin.ModelAdmin):
    list_display = ("lot_ref", "account", "security", "quantity", "cost_basis_usd", "acquired")
    list_filter = ("firm",)
    raw_id_fields = ("account", "security", "opening_transaction")


@admin.register(RealizedGain)
class RealizedGainAdmin(admin.ModelAdmin):
    list_display = ("sale_ref", "lot_ref", "account", "security", "sold", "gain_usd", "term")
    list_filter = ("firm", "term")
    raw_id_fields = ("account", "security", "sale_transaction")


@admin.register(CashBalance)
class CashBalanceAdmin(admin.ModelAdmin):
    list_display = ("account", "amount_usd", "as_of")
    list_filter = ("firm",)
    raw_id_fields = ("account",)
