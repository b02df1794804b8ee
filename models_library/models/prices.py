"""Prices that are not (yet) read by every firm: a firm's own, and a steward's held ones."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from rebalancer.tenancy import FirmOwnedModel

from .securities import Security


class FirmPrice(FirmOwnedModel):
    """A close sent by a firm that is not a steward: it serves that firm only.

    A firm reads the shared :class:`Price` of a (security, date) where there is one, else
    its own. A steward may adopt it into the shared table.
    """

    security = models.ForeignKey(Security, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    close = models.DecimalField(max_digits=16, decimal_places=6)
    sent_by = models.CharField(max_length=100)
    sent_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["security_id", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "security", "date"], name="firm_price_one_per_day"
            ),
            models.CheckConstraint(condition=Q(close__gt=0), name="firm_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.security_id} {self.date} {self.close} (firm {self.firm_id})"


class HeldStatus(models.TextChoices):
    HELD = "held", "Held for review"
    RELEASED = "released", "Released"
    REJECTED = "rejected", "Rejected"


class HeldPrice(models.Model):
    """A steward's close that moved more than ``PRICE_REVIEW_THRESHOLD`` from the last
    accepted close, with no split to explain it: read by no one until a steward releases it.
    """

    ALLOWED_TRANSITIONS = {
        HeldStatus.HELD: {HeldStatus.RELEASED, HeldStatus.REJECTED},
        HeldStatus.RELEASED: set(),
        HeldStatus.REJECTED: set(),
    }

    security = models.ForeignKey(Security, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    close = models.DecimalField(max_digits=16, decimal_places=6)
    previous_close = models.DecimalField(max_digits=16, decimal_places=6)
    split_ratio = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    sent_by_firm = models.ForeignKey(
        "firms.Firm", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.CharField(max_length=100)
    sent_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=HeldStatus.choices, default=HeldStatus.HELD)
    decided_by = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date", "security_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["security", "date"],
                condition=Q(status="held"),
                name="held_price_one_open_per_day",
            ),
            models.CheckConstraint(condition=Q(close__gt=0), name="held_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.security_id} {self.date} {self.close} ({self.status})"
