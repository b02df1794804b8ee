"""Cash per account."""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from rebalancer.tenancy import FirmOwnedModel


class CashBalance(FirmOwnedModel):
    """The account's settled cash, as last reported or as our fills left it."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="cash_balance")
    amount_usd = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    as_of = models.DateField()

    def __str__(self) -> str:
        return f"Cash of account {self.account.account_number}"
