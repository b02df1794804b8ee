"""Accounts a household holds elsewhere (a 401k, a spouse's brokerage): their holdings and
recent transactions, imported over the API or entered by hand. They are never traded; they
count toward the household's allocation (optionally) and toward its wash-sale windows."""

from __future__ import annotations

from django.db import models

from rebalancer.tenancy import FirmOwnedModel

from .accounts import TaxStatus
from .households import Household


class HeldAwayAccount(FirmOwnedModel):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="held_away")
    name = models.CharField(max_length=200)
    custodian = models.CharField(max_length=100, blank=True)
    tax_status = models.CharField(max_length=20, choices=TaxStatus.choices)
    counts_toward_allocation = models.BooleanField(default=True)
    transactions_through = models.DateField(
        null=True, blank=True, help_text="The day its transactions are known through."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household_id", "name", "id"]
        indexes = [models.Index(fields=["firm", "household"])]

    def __str__(self) -> str:
        return self.name


class HeldAwayPosition(FirmOwnedModel):
    account = models.ForeignKey(HeldAwayAccount, on_delete=models.CASCADE, related_name="positions")
    symbol = models.CharField(max_length=20)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    market_value_usd = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["account_id", "symbol"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "symbol"], name="held_away_position_one_per_symbol"
            )
        ]


class HeldAwaySide(models.TextChoices):
    BUY = "buy", "Buy"
    SELL = "sell", "Sell"


class HeldAwayTransaction(FirmOwnedModel):
    """A purchase, or a sale with its realized gain (negative: a loss)."""

    account = models.ForeignKey(
        HeldAwayAccount, on_delete=models.CASCADE, related_name="transactions"
    )
    symbol = models.CharField(max_length=20)
    trade_date = models.DateField()
    side = models.CharField(max_length=4, choices=HeldAwaySide.choices)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    realized_gain_usd = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["account_id", "-trade_date", "id"]
        indexes = [models.Index(fields=["firm", "account", "trade_date"])]
