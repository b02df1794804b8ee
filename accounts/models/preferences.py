"""The preference menus of ``contracts/optimize.md``, at household and account level.

A ``PreferenceSet`` belongs to either a household (the defaults for all its accounts) or an
account (its overrides). Scalar fields left null inherit: account, then household, then the
product default; the tracking-error limit has one more step between household and product
default, the account's model (``accounts.selectors.preferences`` resolves all of it).
The two gain caps need a third state ("no cap, even if the household has one"), so each
has an ``*_override`` flag: when set, the account's value wins even if null.
A household's caps are either each account's own (``gain_cap_scope`` "account", the default)
or one cap its taxable accounts share ("household"); either way a cap is on the tax year's
net realized gain, and each night's solve gets what is left of it. A sector or asset-class
limit of 100 % binds nothing, which is how an account lifts its household's.

Restrictions, screens and substitutions are rows scoped to a household or an account; an
account is bound by its own rows and its household's. Withdrawals belong to an account.
Securities are named by symbol (the security master is shared reference data; services
check that a symbol exists).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from models_library.models.portfolios import TRACKING_ERROR_LIMIT_VALIDATORS
from rebalancer.tenancy import FirmOwnedModel
from rebalancer.validators import GreaterThanZero

from .accounts import Account
from .households import Household

RATE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
PERCENT_LIMIT = [
    MinValueValidator(Decimal("0"), message="must not be negative (percent)"),
    MaxValueValidator(Decimal("100"), message="must be at most 100 (percent)"),
]
RISK_AVERSION: list[Callable[[Any], None]] = [
    GreaterThanZero("must be greater than 0"),
    MaxValueValidator(Decimal("1000"), message="must be at most 1000"),
]


class TaxSensitivity(models.TextChoices):
    """The plain-words menu for ``risk_aversion``: how much tracking error a client accepts
    for tax saved. The optimizer weighs tracking risk by ``risk_aversion`` against tax and
    cost in dollars (1 is the product default), so a lower number means more tax-sensitive.
    The stored value is the number; any positive number may be set through the API."""

    HIGH = "0.25", "High: harvest and defer tax more, accept more tracking error"
    MEDIUM = "1", "Medium: the product default"
    LOW = "4", "Low: stay closer to the model, accept more tax"


def _one_scope(prefix: str) -> models.CheckConstraint:
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


class LotReliefMethod(models.TextChoices):
    FIFO = "FIFO", "First in, first out"
    LIFO = "LIFO", "Last in, first out"
    HIFO = "HIFO", "Highest cost first"
    TAX_MIN = "TAX_MIN", "Least tax first"


class GainCapScope(models.TextChoices):
    ACCOUNT = "account", "Each account's own cap"
    HOUSEHOLD = "household", "One cap shared by the household's taxable accounts"


class PreferenceSet(ScopedModel):
    """Scalar preferences. Null means "inherit" (see the module docstring)."""

    short_term_rate = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True, validators=RATE_VALIDATORS
    )
    long_term_rate = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True, validators=RATE_VALIDATORS
    )
    harvest_losses = models.BooleanField(null=True, blank=True)
    max_realized_gain_usd = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    max_realized_gain_override = models.BooleanField(default=False)
    max_short_term_gain_usd = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    max_short_term_gain_override = models.BooleanField(default=False)
    gain_cap_scope = models.CharField(
        max_length=10,
        choices=GainCapScope.choices,
        default=GainCapScope.ACCOUNT,
        help_text="Set on a household: whether its gain caps are each account's own or one "
        "cap its taxable accounts share. An account that overrides a cap has its own.",
    )
    long_term_wait_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
        help_text="A short-term lot at a gain that turns long-term within this many days is "
        "not sold unless the cash need requires it. Blank: inherit.",
    )
    cash_min_usd = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    min_trade_value_usd = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    fractional_shares = models.BooleanField(null=True, blank=True)
    cost_bps = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    lot_relief_method = models.CharField(
        max_length=10,
        choices=LotReliefMethod.choices,
        blank=True,
        default="",
        help_text="Blank: inherit.",
    )
    tracking_error_limit_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=TRACKING_ERROR_LIMIT_VALIDATORS,
        help_text="Annualized tracking error against the model, in percent a year. "
        "Blank: inherit (household, then the model's, then the product default).",
    )
    risk_aversion = models.DecimalField(
        max_digits=9,
        decimal_places=4,
        null=True,
        blank=True,
        validators=RISK_AVERSION,
        help_text="How tracking risk weighs against tax and cost: above 1 tracks closer, "
        "below 1 saves more tax. Blank: inherit.",
    )
    min_benefit_usd = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message="must not be negative (dollars)")],
        help_text="A proposal must be worth more than its cost plus this, or it is no trades.",
    )
    min_benefit_bps = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0"), message="must not be negative (bp)"),
            MaxValueValidator(Decimal("100"), message="must be at most 100 (bp)"),
        ],
        help_text="The same minimum in basis points of the account's value; the larger of "
        "the two applies. Blank: inherit.",
    )
    sector_limit_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_LIMIT,
        help_text="Active weight of any GICS sector within plus or minus this percent.",
    )
    asset_class_limit_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_LIMIT,
        help_text="Active weight of any asset class within plus or minus this percent.",
    )

    reconciliation_quantity_tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message="must not be negative (shares)")],
        help_text="The custodian's quantity of a security may differ from the ledger's by "
        "this many shares before the account is out of balance. Blank: inherit.",
    )
    reconciliation_cash_tolerance_usd = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message="must not be negative (dollars)")],
        help_text="The custodian's cash may differ from the ledger's by this many dollars "
        "before the account is out of balance. Blank: inherit.",
    )

    tax_filer = models.CharField(
        max_length=60,
        blank=True,
        default="",
        help_text="Whose tax return this account's gains go on (e.g. a spouse's name); a "
        "household may hold two filers. Blank: inherit (the household's filer).",
    )
    ordinary_income_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=RATE_VALIDATORS,
        help_text="The filer's rate on ordinary income, which a deducted loss saves. Blank: "
        "inherit (the short-term rate).",
    )
    expected_short_term_gain_usd = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Net short-term gain the filer expects to realize elsewhere this year "
        "(a loss is negative).",
    )
    expected_long_term_gain_usd = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Net long-term gain the filer expects to realize elsewhere this year "
        "(a loss is negative).",
    )
    carryforward_short_term_usd = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message="must not be negative (dollars)")],
        help_text="Short-term capital loss the filer carried into this year.",
    )
    carryforward_long_term_usd = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message="must not be negative (dollars)")],
        help_text="Long-term capital loss the filer carried into this year.",
    )
    carryforward_years = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0"), message="must not be negative (years)"),
            MaxValueValidator(Decimal("50"), message="must be at most 50 (years)"),
        ],
        help_text="Years a loss carried out of this year is expected to wait for gains to "
        "offset: it is valued at the long-term rate discounted over them.",
    )
    carryforward_discount_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=RATE_VALIDATORS,
        help_text="The yearly rate that discounts a carried loss's value.",
    )
    annual_tax_budget_usd = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message="must not be negative (dollars)")],
        help_text="The most tax (dollars of tax, not of gain) the filer's realized gains may "
        "cost this year, at the account's rates with Schedule D netting. Blank: inherit "
        "(none).",
    )
    transition_start_year = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(2000, message="must be a tax year from 2000 to 2100"),
            MaxValueValidator(2100, message="must be a tax year from 2000 to 2100"),
        ],
        help_text="The first tax year of a transition plan for legacy holdings. Blank: "
        "inherit (no plan).",
    )
    transition_years = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, message="must be from 1 to 30 (years)"),
            MaxValueValidator(30, message="must be from 1 to 30 (years)"),
        ],
        help_text="How many tax years the transition plan spreads its tax over.",
    )
    transition_budget_per_year_usd = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message="must not be negative (dollars)")],
        help_text="The most tax (dollars of tax, Schedule D at the account's rates) each "
        "year of the transition plan may spend moving the account toward its model.",
    )
    harvest_min_loss_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_LIMIT,
        help_text="A loss under this percent of its lot's basis is not harvested for its own sake.",
    )
    harvest_min_loss_usd = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message="must not be negative (dollars)")],
        help_text="A loss under this many dollars is not harvested for its own sake.",
    )
    harvest_gains_up_to_usd = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message="must not be negative (dollars)")],
        help_text="For a client in the 0 % long-term bracket: each night, realize long-term "
        "gains up to this many dollars and buy the same shares back, stepping up their basis. "
        "Blank: inherit (none).",
    )

    class Meta:
        constraints = [
            _one_scope("preferenceset"),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(household__isnull=False),
                name="preferenceset_one_per_household",
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(account__isnull=False),
                name="preferenceset_one_per_account",
            ),
            models.CheckConstraint(
                condition=Q(short_term_rate__isnull=True)
                | Q(short_term_rate__gte=0, short_term_rate__lte=1),
                name="preferenceset_short_term_rate_0_1",
            ),
            models.CheckConstraint(
                condition=Q(long_term_rate__isnull=True)
                | Q(long_term_rate__gte=0, long_term_rate__lte=1),
                name="preferenceset_long_term_rate_0_1",
            ),
            models.CheckConstraint(
                condition=Q(max_realized_gain_usd__isnull=True) | Q(max_realized_gain_usd__gte=0),
                name="preferenceset_max_realized_gain_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(max_short_term_gain_usd__isnull=True)
                | Q(max_short_term_gain_usd__gte=0),
                name="preferenceset_max_short_term_gain_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(gain_cap_scope__in=GainCapScope.values),
                name="preferenceset_gain_cap_scope_known",
            ),
            models.CheckConstraint(
                condition=Q(long_term_wait_days__isnull=True) | Q(long_term_wait_days__lte=365),
                name="preferenceset_long_term_wait_days_0_365",
            ),
            models.CheckConstraint(
                condition=Q(reconciliation_quantity_tolerance__isnull=True)
                | Q(reconciliation_quantity_tolerance__gte=0),
                name="preferenceset_reconciliation_quantity_tolerance_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(reconciliation_cash_tolerance_usd__isnull=True)
                | Q(reconciliation_cash_tolerance_usd__gte=0),
                name="preferenceset_reconciliation_cash_tolerance_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(ordinary_income_rate__isnull=True)
                | Q(ordinary_income_rate__gte=0, ordinary_income_rate__lte=1),
                name="preferenceset_ordinary_income_rate_0_1",
            ),
            models.CheckConstraint(
                condition=Q(carryforward_discount_rate__isnull=True)
                | Q(carryforward_discount_rate__gte=0, carryforward_discount_rate__lte=1),
                name="preferenceset_carryforward_discount_rate_0_1",
            ),
            models.CheckConstraint(
                condition=Q(carryforward_short_term_usd__isnull=True)
                | Q(carryforward_short_term_usd__gte=0),
                name="preferenceset_carryforward_short_term_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(carryforward_long_term_usd__isnull=True)
                | Q(carryforward_long_term_usd__gte=0),
                name="preferenceset_carryforward_long_term_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(carryforward_years__isnull=True)
                | Q(carryforward_years__gte=0, carryforward_years__lte=50),
                name="preferenceset_carryforward_years_0_50",
            ),
            models.CheckConstraint(
                condition=Q(annual_tax_budget_usd__isnull=True) | Q(annual_tax_budget_usd__gte=0),
                name="preferenceset_annual_tax_budget_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(transition_years__isnull=True)
                | Q(transition_years__gte=1, transition_years__lte=30),
                name="preferenceset_transition_years_1_30",
            ),
            models.CheckConstraint(
                condition=Q(transition_budget_per_year_usd__isnull=True)
                | Q(transition_budget_per_year_usd__gte=0),
                name="preferenceset_transition_budget_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(harvest_min_loss_pct__isnull=True)
                | Q(harvest_min_loss_pct__gte=0, harvest_min_loss_pct__lte=100),
                name="preferenceset_harvest_min_loss_pct_0_100",
            ),
            models.CheckConstraint(
                condition=Q(harvest_min_loss_usd__isnull=True) | Q(harvest_min_loss_usd__gte=0),
                name="preferenceset_harvest_min_loss_usd_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(harvest_gains_up_to_usd__isnull=True)
                | Q(harvest_gains_up_to_usd__gte=0),
                name="preferenceset_harvest_gains_up_to_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(cash_min_usd__isnull=True) | Q(cash_min_usd__gte=0),
                name="preferenceset_cash_min_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(min_trade_value_usd__isnull=True) | Q(min_trade_value_usd__gte=0),
                name="preferenceset_min_trade_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(cost_bps__isnull=True) | Q(cost_bps__gte=0),
                name="preferenceset_cost_bps_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(tracking_error_limit_pct__isnull=True)
                | Q(tracking_error_limit_pct__gt=0, tracking_error_limit_pct__lte=100),
                name="preferenceset_tracking_error_limit_0_100",
            ),
            models.CheckConstraint(
                condition=Q(risk_aversion__isnull=True) | Q(risk_aversion__gt=0),
                name="preferenceset_risk_aversion_positive",
            ),
            models.CheckConstraint(
                condition=Q(min_benefit_usd__isnull=True) | Q(min_benefit_usd__gte=0),
                name="preferenceset_min_benefit_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(min_benefit_bps__isnull=True)
                | (Q(min_benefit_bps__gte=0) & Q(min_benefit_bps__lte=100)),
                name="preferenceset_min_benefit_bps_range",
            ),
            models.CheckConstraint(
                condition=Q(sector_limit_pct__isnull=True)
                | Q(sector_limit_pct__gte=0, sector_limit_pct__lte=100),
                name="preferenceset_sector_limit_0_100",
            ),
            models.CheckConstraint(
                condition=Q(asset_class_limit_pct__isnull=True)
                | Q(asset_class_limit_pct__gte=0, asset_class_limit_pct__lte=100),
                name="preferenceset_asset_class_limit_0_100",
            ),
        ]


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
            _one_scope("restriction"),
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
        constraints = [_one_scope("screen")]

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
            _one_scope("substitution"),
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
