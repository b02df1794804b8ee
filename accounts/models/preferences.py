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

Its menus' choices are in ``preference_choices``, the database's checks on its values in
``preference_constraints``; a client's rules (restrictions, screens, substitutions) and an
account's withdrawals are rows of their own (``client_rules``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from models_library.models.portfolios import TRACKING_ERROR_LIMIT_VALIDATORS
from rebalancer.validators import GreaterThanZero

from .preference_choices import GainCapScope, LotReliefMethod
from .preference_constraints import preference_set_constraints
from .scoped import ScopedModel

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
        constraints = preference_set_constraints()
