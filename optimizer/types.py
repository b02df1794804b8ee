"""Frozen dataclasses that go into and come out of the optimizer.

Inputs carry `Decimal` as the contract gives them; floats live only inside the solve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

TAX_STATUSES = ("taxable", "tax_deferred", "tax_exempt")
RESTRICTION_TYPES = ("do_not_buy", "do_not_sell", "hold")
SCREEN_FIELDS = ("symbol", "sector", "asset_class")
REASONS = (
    "rebalance",
    "raise_cash",
    "invest_cash",
    "tax_loss_harvest",
    "restriction",
    "screen",
    "substitution",
    "tax_swap",
)


@dataclass(frozen=True)
class Security:
    symbol: str
    price: Decimal
    asset_class: str
    sector: str | None
    identical_group: str


@dataclass(frozen=True)
class Lot:
    id: str
    symbol: str
    quantity: Decimal
    cost_basis: Decimal
    acquired: date


@dataclass(frozen=True)
class TaxPreferences:
    short_term_rate: Decimal = Decimal("0.37")
    long_term_rate: Decimal = Decimal("0.20")
    harvest_losses: bool = True
    max_realized_gain: Decimal | None = None
    max_short_term_gain: Decimal | None = None


@dataclass(frozen=True)
class Restriction:
    symbol: str
    type: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Screen:
    field: str
    value: str


@dataclass(frozen=True)
class Substitution:
    from_symbol: str
    to_symbol: str


@dataclass(frozen=True)
class CashPreferences:
    min: Decimal = Decimal("0")
    withdrawal: Decimal = Decimal("0")


@dataclass(frozen=True)
class TradingPreferences:
    min_trade_value: Decimal = Decimal("0")
    fractional_shares: bool = False
    cost_bps: Decimal = Decimal("0")


@dataclass(frozen=True)
class Preferences:
    tax: TaxPreferences = field(default_factory=TaxPreferences)
    restrictions: tuple[Restriction, ...] = ()
    screens: tuple[Screen, ...] = ()
    substitutions: tuple[Substitution, ...] = ()
    cash: CashPreferences = field(default_factory=CashPreferences)
    trading: TradingPreferences = field(default_factory=TradingPreferences)


@dataclass(frozen=True)
class RecentBuy:
    symbol: str
    date: date
    quantity: Decimal | None = None


@dataclass(frozen=True)
class RecentLossSale:
    symbol: str
    date: date


@dataclass(frozen=True)
class FactorModel:
    """Risk of active weights d: d' (B diag(f) B' + diag(idio)) d.

    `loadings` is securities x factors in the order of `symbols`; variances are annual,
    in squared return units. Securities missing from `symbols` get zero loadings and the
    mean idiosyncratic variance.
    """

    symbols: tuple[str, ...]
    loadings: tuple[tuple[float, ...], ...]
    factor_variances: tuple[float, ...]
    idiosyncratic_variances: tuple[float, ...]


@dataclass(frozen=True)
class Case:
    account_id: str
    as_of: date
    tax_status: str
    cash: Decimal
    securities: dict[str, Security]
    lots: tuple[Lot, ...]
    target: dict[str, Decimal]
    preferences: Preferences
    recent_buys: tuple[RecentBuy, ...] = ()
    recent_loss_sales: tuple[RecentLossSale, ...] = ()
    factor_model: FactorModel | None = None


@dataclass(frozen=True)
class LotRelief:
    lot: str
    quantity: Decimal
    cost_basis: Decimal
    gain: Decimal
    term: str


@dataclass(frozen=True)
class Trade:
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    value: Decimal
    reasons: tuple[str, ...]
    lots: tuple[LotRelief, ...] = ()


@dataclass(frozen=True)
class RuleCost:
    """What one binding rule costs: how much lower the objective would be without it
    (dollars, positive), and how the drift (against the adjusted target) and the estimated
    tax would change if it were lifted: `drift_cost` is drift with the rule minus drift
    without it, `tax_cost` likewise (negative when the rule saves tax)."""

    rule: str
    detail: str
    objective_cost: Decimal
    drift_cost: Decimal
    tax_cost: Decimal


@dataclass(frozen=True)
class Summary:
    realized_short_term_gain: Decimal
    realized_long_term_gain: Decimal
    estimated_tax: Decimal
    transaction_cost: Decimal
    turnover: Decimal
    drift_before: Decimal
    drift_after: Decimal
    binding_rules: tuple[RuleCost, ...] = ()


@dataclass(frozen=True)
class OptimizeResult:
    """One account's answer; `account` is None only when the case's id could not be read."""

    account: str | None
    status: str
    message: str = ""
    trades: tuple[Trade, ...] = ()
    cash_after: Decimal | None = None
    summary: Summary | None = None
    retryable: bool = False
