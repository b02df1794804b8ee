"""Rows that apply to one household (all its accounts) or to one account."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from rebalancer.tenancy import FirmOwnedModel

from .accounts import Account
from .households import Household


def one_scope(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(Q(household__isnull=False, account__isnull=True))
        | (Q(household__isnull=True, account__isnull=False)),
        name=f"{prefix}_household_xor_account",
    )


class ScopedModel(FirmOwnedModel):
    """A row that applies to one household (all its accounts) or to one account."""

    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True
