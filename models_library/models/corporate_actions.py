"""Corporate actions: shared reference data, like the security master and prices."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from .securities import Security


class CorporateActionKind(models.TextChoices):
    SPLIT = "split", "Split or reverse split"
    CASH_DIVIDEND = "cash_dividend", "Cash dividend"
    REINVESTED_DIVIDEND = "reinvested_dividend", "Reinvested dividend"
    SPIN_OFF = "spin_off", "Spin-off"
    SYMBOL_CHANGE = "symbol_change", "Symbol change"
    MERGER = "merger", "Merger"


class CorporateAction(models.Model):
    """An event on a security that every firm's holders of it undergo.

    Entered by a steward firm (``sent_by_firm``); the lot engine applies it to every
    holding (see ``lot_engine.actions`` for what each kind does). ``reference`` is the
    data source's id, unique. ``effective_date`` is the day it takes effect (a dividend's
    pay date); ``ex_date`` is a dividend's ex-date. ``ratio_new``/``ratio_old``: new
    shares for old (a split, a stock merger, a spin-off's child shares). ``price``: a
    reinvestment's purchase price, or the price paid for fractional shares.
    """

    reference = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=24, choices=CorporateActionKind.choices)
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="+")
    new_security = models.ForeignKey(
        Security, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    effective_date = models.DateField()
    ex_date = models.DateField(null=True, blank=True)
    ratio_new = models.DecimalField(max_digits=16, decimal_places=6, null=True, blank=True)
    ratio_old = models.DecimalField(max_digits=16, decimal_places=6, null=True, blank=True)
    cash_per_share = models.DecimalField(max_digits=16, decimal_places=6, null=True, blank=True)
    price = models.DecimalField(max_digits=16, decimal_places=6, null=True, blank=True)
    basis_fraction = models.DecimalField(max_digits=9, decimal_places=8, null=True, blank=True)
    sent_by_firm = models.ForeignKey(
        "firms.Firm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_date", "id"]
        indexes = [models.Index(fields=["effective_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ratio_new__isnull=True) | Q(ratio_new__gt=0),
                name="corporate_action_ratio_new_positive",
            ),
            models.CheckConstraint(
                condition=Q(ratio_old__isnull=True) | Q(ratio_old__gt=0),
                name="corporate_action_ratio_old_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind} {self.security_id} {self.effective_date}"

    @property
    def entitlement_date(self) -> dt.date:
        return self.ex_date or self.effective_date
