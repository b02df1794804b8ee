"""The security master and daily prices: reference data shared by every firm."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class SecurityType(models.TextChoices):
    ETF = "etf", "ETF"
    STOCK = "stock", "Stock"
    MUTUAL_FUND = "mutual_fund", "Mutual fund"
    BOND = "bond", "Bond"


class Security(models.Model):
    """One tradable instrument. ``identical_group`` marks substantially identical ones."""

    symbol = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    security_type = models.CharField(
        max_length=20, choices=SecurityType.choices, default=SecurityType.STOCK
    )
    asset_class = models.CharField(max_length=60)
    sector = models.CharField(max_length=100, blank=True)
    sub_industry = models.CharField(max_length=150, blank=True)
    identical_group = models.CharField(
        max_length=60,
        blank=True,
        help_text="Securities sharing a group are substantially identical (wash-sale rule). "
        "Blank: the security is its own group.",
    )
    tradable = models.BooleanField(default=True)

    class Meta:
        ordering = ["symbol"]
        verbose_name_plural = "securities"
        constraints = [
            models.CheckConstraint(condition=~Q(symbol=""), name="security_symbol_not_blank"),
            models.CheckConstraint(
                condition=~Q(asset_class=""), name="security_asset_class_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.symbol

    @property
    def wash_sale_group(self) -> str:
        return self.identical_group or self.symbol


class Price(models.Model):
    """A security's accepted closing price on a date, read by every firm.

    Only a steward of reference data puts rows here (directly, by releasing a held price,
    or by adopting a firm's price). ``sent_by_firm`` and ``sent_by`` name who sent the
    close (a firm's API key ``key:ID`` or person ``user:ID``, or a command);
    ``accepted_by`` names the steward who released or adopted it (blank: sent by one).
    """

    security = models.ForeignKey(Security, on_delete=models.CASCADE, related_name="prices")
    date = models.DateField()
    close = models.DecimalField(max_digits=16, decimal_places=6)
    sent_by_firm = models.ForeignKey(
        "firms.Firm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.CharField(max_length=100, blank=True)
    accepted_by = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["security_id", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["security", "date"], name="price_one_per_day"),
            models.CheckConstraint(condition=Q(close__gt=0), name="price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.security_id} {self.date} {self.close}"
