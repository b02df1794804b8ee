"""The custodian's daily statement of an account, compared with our ledger."""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from rebalancer.tenancy import FirmOwnedModel


class ReconciliationStatus(models.TextChoices):
    BALANCED = "balanced", "Balanced"
    OUT_OF_BALANCE = "out_of_balance", "Out of balance"
    PENDING = "pending", "Pending item"
    ACCEPTED = "accepted", "Custodian's figures accepted"


class Reconciliation(FirmOwnedModel):
    """One account's custodian statement on ``as_of`` and how it compared with the ledger.

    ``positions`` is the statement (``{symbol: quantity}``, strings) and
    ``cash_custodian_usd`` its cash; ``differences`` lists what differed beyond the
    tolerance: ``[{symbol, ledger, custodian, difference}]`` (``CASH`` for cash). An
    account whose latest statement is out of balance, or pending, is not optimized.
    """

    ALLOWED_TRANSITIONS = {
        ReconciliationStatus.BALANCED: set(),
        ReconciliationStatus.OUT_OF_BALANCE: {
            ReconciliationStatus.ACCEPTED,
            ReconciliationStatus.PENDING,
        },
        ReconciliationStatus.PENDING: {ReconciliationStatus.ACCEPTED},
        ReconciliationStatus.ACCEPTED: set(),
    }

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    status = models.CharField(max_length=20, choices=ReconciliationStatus.choices)
    positions = models.JSONField(default=dict)
    cash_custodian_usd = models.DecimalField(max_digits=18, decimal_places=2)
    cash_ledger_usd = models.DecimalField(max_digits=18, decimal_places=2)
    differences = models.JSONField(default=list)
    imported_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.CharField(max_length=100, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-as_of", "account_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "account", "as_of"], name="reconciliation_one_per_account_day"
            )
        ]
        indexes = [models.Index(fields=["firm", "status"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of} {self.status}"
