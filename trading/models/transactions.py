"""Buys and sells as recorded by the custodian (or by our fills): the lot engine's input."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.models import Account
from models_library.models import Security
from rebalancer.tenancy import FirmOwnedModel


class TransactionType(models.TextChoices):
    BUY = "buy", "Buy"
    SELL = "sell", "Sell"
    GIFT = "gift", "Gift in kind"


class Transaction(FirmOwnedModel):
    """One buy (including a reinvested dividend), sell, or gift in kind (a transfer out:
    the shares leave, nothing is sold, no gain is realized).

    ``amount_usd`` is the total cost of a buy, the total net proceeds of a sale (fees
    included), or a gift's fair market value. ``specific_lots`` (a sale or a gift) names
    the lots it relieves:
    ``[{"lot": "<opening transaction's external_id>", "quantity": "10"}]``.
    ``sequence`` orders transactions of one date as they arrived.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transactions")
    external_id = models.CharField(max_length=80)
    date = models.DateField()
    type = models.CharField(max_length=10, choices=TransactionType.choices)
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    amount_usd = models.DecimalField(max_digits=18, decimal_places=2)
    specific_lots = models.JSONField(null=True, blank=True)
    sequence = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "external_id"], name="transaction_external_id_unique_per_firm"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="transaction_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount_usd__gte=0), name="transaction_amount_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["firm", "account", "date"])]

    def __str__(self) -> str:
        return f"{self.external_id} {self.date} {self.type} {self.quantity} {self.security_id}"
