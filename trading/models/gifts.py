"""Planned charitable gifts in kind: an advisor's plan to give appreciated shares of an
account to a charity. The nightly run asks the optimizer which lots to give
(``preferences.gift``); an approved proposal's gifted lots leave the books as a lot-engine
gift on the gift's date (``trading.services.gifts``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account
from rebalancer.tenancy import FirmOwnedModel


class GiftStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    PROPOSED = "proposed", "Proposed"
    RECORDED = "recorded", "Recorded"
    CANCELLED = "cancelled", "Cancelled"


class PlannedGift(FirmOwnedModel):
    """A gift of up to ``amount_usd`` of an account's appreciated long-term lots on ``date``.

    Planned: entered, in no proposal yet. Proposed: the latest proposal that gives its lots
    is ``proposal`` (a later night's proposal takes its place until one is approved).
    Recorded: the lots left the books (``recorded_external_ids``). Cancelled: by an advisor,
    before it was recorded.
    """

    ALLOWED_TRANSITIONS = {
        GiftStatus.PLANNED: {GiftStatus.PROPOSED, GiftStatus.CANCELLED},
        GiftStatus.PROPOSED: {GiftStatus.PROPOSED, GiftStatus.RECORDED, GiftStatus.CANCELLED},
        GiftStatus.RECORDED: set(),
        GiftStatus.CANCELLED: set(),
    }

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="planned_gifts")
    amount_usd = models.DecimalField(max_digits=18, decimal_places=2)
    date = models.DateField(help_text="The day the shares leave the account.")
    charity = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=GiftStatus.choices, default=GiftStatus.PLANNED)
    proposal = models.ForeignKey(
        "trading.Proposal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="planned_gifts",
        help_text="The latest proposal that gives this gift's lots.",
    )
    recorded_value_usd = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    recorded_external_ids = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_usd__gt=0), name="plannedgift_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["firm", "account", "status"])]

    def __str__(self) -> str:
        to = f" to {self.charity}" if self.charity else ""
        return f"Gift of ${self.amount_usd:,.2f}{to} on {self.date} ({self.status})"
