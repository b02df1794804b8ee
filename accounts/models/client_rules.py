"""A client's rules, scoped to a household or an account (an account is bound by its own
and its household's): restrictions, screens and substitutions; and an account's cash
withdrawals. Securities are named by symbol (services check that a symbol exists)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rebalancer.tenancy import FirmOwnedModel

from .accounts import Account
from .scoped import ScopedModel, one_scope


class RestrictionType(models.TextChoices):
    DO_NOT_BUY = "do_not_buy", "Do not buy"
    DO_NOT_SELL = "do_not_sell", "Do not sell"
    HOLD = "hold", "Hold (neither buy nor sell)"


class Restriction(ScopedModel):
    """A do-not-buy, do-not-sell or hold on one security, optionally between two dates."""

    symbol = models.CharField(max_length=20)
    type = models.CharField(max_length=20, choices=RestrictionType.choices)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["symbol", "id"]
        constraints = [
            one_scope("restriction"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="restriction_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.symbol}"

    def is_active_on(self, day) -> bool:
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or day <= self.end_date
        )


class ScreenField(models.TextChoices):
    SYMBOL = "symbol", "Symbol"
    SECTOR = "sector", "Sector"
    ASSET_CLASS = "asset_class", "Asset class"


class Screen(ScopedModel):
    """An ESG/SRI exclusion: never buy securities whose ``field`` equals ``value``."""

    field = models.CharField(max_length=20, choices=ScreenField.choices)
    value = models.CharField(max_length=100)
    label = models.CharField(max_length=100, blank=True, help_text="e.g. 'No fossil fuels'")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["field", "value", "id"]
        constraints = [one_scope("screen")]

    def __str__(self) -> str:
        return f"Never buy {self.get_field_display().lower()} {self.value}"


class Substitution(ScopedModel):
    """Hold ``to_symbol`` instead of ``from_symbol``: the target weight moves across."""

    from_symbol = models.CharField(max_length=20)
    to_symbol = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["from_symbol", "id"]
        constraints = [
            one_scope("substitution"),
            models.CheckConstraint(
                condition=~Q(from_symbol=models.F("to_symbol")),
                name="substitution_from_differs_from_to",
            ),
        ]

    def __str__(self) -> str:
        return f"Hold {self.to_symbol} instead of {self.from_symbol}"


class WithdrawalFrequency(models.TextChoices):
    ONE_TIME = "one_time", "One time"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUALLY = "annually", "Annually"


class CashWithdrawal(FirmOwnedModel):
    """Cash a client needs from an account: once on a date, or recurring from a date."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="withdrawals")
    amount_usd = models.DecimalField(max_digits=16, decimal_places=2)
    frequency = models.CharField(
        max_length=20, choices=WithdrawalFrequency.choices, default=WithdrawalFrequency.ONE_TIME
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_usd__gt=0), name="withdrawal_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="withdrawal_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        until = f" to {self.end_date}" if self.end_date else ""
        return (
            f"Withdrawal of ${self.amount_usd:,.2f} {self.get_frequency_display().lower()} "
            f"from {self.start_date}{until}"
        )
