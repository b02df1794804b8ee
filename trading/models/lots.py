"""Open tax lots and realized gains: the lot engine's output, rewritten per household."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.models import Account
from models_library.models import Security
from rebalancer.tenancy import FirmOwnedModel

from .transactions import Transaction


class Term(models.TextChoices):
    SHORT = "short", "Short-term"
    LONG = "long", "Long-term"


class TaxLot(FirmOwnedModel):
    """What remains open of one purchase (or a piece of it, after a partial wash sale)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tax_lots")
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="+")
    opening_transaction = models.ForeignKey(
        Transaction, null=True, blank=True, on_delete=models.CASCADE, related_name="open_lots"
    )
    lot_ref = models.CharField(max_length=80, help_text="The opening purchase's id.")
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    cost_basis_usd = models.DecimalField(max_digits=18, decimal_places=2)
    acquired = models.DateField()
    holding_period_start = models.DateField()
    wash_sale_adjustment_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        ordering = ["account_id", "security_id", "acquired", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="taxlot_quantity_positive"),
            models.CheckConstraint(
                condition=Q(cost_basis_usd__gte=0), name="taxlot_cost_basis_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["firm", "account"])]

    def __str__(self) -> str:
        return f"{self.lot_ref} {self.quantity} {self.security_id}"


class RealizedGain(FirmOwnedModel):
    """One lot relieved by one sale: the realized-gain ledger."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="realized_gains")
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="+")
    sale_transaction = models.ForeignKey(
        Transaction, null=True, blank=True, on_delete=models.CASCADE, related_name="realized"
    )
    sale_ref = models.CharField(max_length=80)
    lot_ref = models.CharField(max_length=80)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    acquired = models.DateField()
    sold = models.DateField()
    proceeds_usd = models.DecimalField(max_digits=18, decimal_places=2)
    cost_basis_usd = models.DecimalField(max_digits=18, decimal_places=2)
    gain_usd = models.DecimalField(max_digits=18, decimal_places=2)
    term = models.CharField(max_length=5, choices=Term.choices)
    disallowed_loss_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        ordering = ["sold", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="realizedgain_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(disallowed_loss_usd__gte=0), name="realizedgain_disallowed_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["firm", "account", "sold"])]
