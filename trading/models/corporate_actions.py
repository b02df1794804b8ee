"""A firm's record of each corporate action applied to its books."""

from __future__ import annotations

from django.db import models

from models_library.models import CorporateAction
from rebalancer.tenancy import FirmOwnedModel


class CorporateActionApplication(FirmOwnedModel):
    """``action`` has been applied to this firm's lots and cash, once.

    The lots follow from the transactions and every due action (each rebuild applies them
    all); this row marks the one-time effects: the households rebuilt when the action fell
    due and the cash it paid into accounts (``cash_credited_usd``, the sum over accounts).
    """

    action = models.ForeignKey(CorporateAction, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(auto_now_add=True)
    households = models.PositiveIntegerField(default=0)
    cash_credited_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        ordering = ["-applied_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "action"], name="corporate_action_applied_once_per_firm"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action_id} applied to firm {self.firm_id}"
