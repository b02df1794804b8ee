"""Frozen dataclasses that go into and come out of the optimizer.

Inputs carry `Decimal` as the contract gives them; floats live only inside the solve. A
case's securities and lots are columns (`Securities`, `Lots`: one numpy array per field),
not one object per row, so a case of a thousand lots is built and read in a few array
operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

import numpy as np

from tax_calendar.holding_arrays import as_days

TAX_STATUSES = ("taxable", "tax_deferred", "tax_exempt")
MAX_LONG_TERM_WAIT_DAYS = 365
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
    "gain_harvest",
)


def _column(values: Iterable[Any]) -> np.ndarray:
    """An object column: Decimals, strings and None stay as they are."""
    items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _values(values: Iterable[Any]) -> np.ndarray:
    """An object column of `values` as they are, like `_column` (many times faster on a
    long list: each value is stored without looking into it)."""
    return np.fromiter(values, dtype=object)


def _exact(value: Any) -> Any:
    """What equality compares: a Decimal with its exponent, so 100 and 1E+2 differ (they
    print differently in an answer)."""
    return (type(value), value.as_tuple()) if isinstance(value, Decimal) else (type(value), value)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Columns are equal when they have one length and, item by item, equal values of one
    type (Decimals with one exponent)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype != object:
        return bool(np.array_equal(a, b))
    return [_exact(x) for x in a.tolist()] == [_exact(y) for y in b.tolist()]


def _columns(rows: Iterable[tuple[Any, ...]], width: int) -> list[tuple[Any, ...]]:
    listed = list(rows)
    return list(zip(*listed, strict=True)) if listed else [()] * width


def _one_length(columns: list[np.ndarray]) -> None:
    lengths = {len(c) for c in columns}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths {sorted(lengths)}")


@dataclass(frozen=True, eq=False)
class Securities:
    """Every security of a case, one row per security in the case's order (columns).

    `price` holds `Decimal`s (object column); `sector` may hold None. A security without an
    asset class or an identical group has its own (`__own__:SYMBOL`).
    """

    symbol: np.ndarray
    price: np.ndarray
    asset_class: np.ndarray
    sector: np.ndarray
    identical_group: np.ndarray

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, Decimal, str, str | None, str]]) -> Securities:
        """From (symbol, price, asset_class, sector, identical_group) rows."""
        symbol, price, asset_class, sector, group = _columns(rows, 5)
        return cls(
            symbol=_column(symbol),
            price=_column(price),
            asset_class=_column(asset_class),
            sector=_column(sector),
            identical_group=_column(group),
        )

    @classmethod
    def from_columns(
        cls,
        *,
        symbol: Iterable[str],
        price: Iterable[Decimal],
        asset_class: Iterable[str],
        sector: Iterable[str | None],
        identical_group: Iterable[str],
    ) -> Securities:
        """From one sequence per column, of the values `from_rows` takes by row (equal to
        the `from_rows` of the same rows); the sequences must have one length."""
        columns = [_values(c) for c in (symbol, price, asset_class, sector, identical_group)]
        _one_length(columns)
        return cls(*columns)

    def __len__(self) -> int:
        return len(self.symbol)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self.position

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Securities):
            return NotImplemented
        return all(_same(getattr(self, f), getattr(other, f)) for f in _SECURITY_COLUMNS)

    __hash__ = None  # type: ignore[assignment]

    @cached_property
    def position(self) -> dict[str, int]:
        """Symbol -> its row."""
        return {symbol: i for i, symbol in enumerate(self.symbol.tolist())}

    def price_of(self, symbol: str) -> Decimal:
        price: Decimal = self.price[self.position[symbol]]
        return price

    def group_of(self, symbol: str) -> str:
        return str(self.identical_group[self.position[symbol]])

    def asset_class_of(self, symbol: str) -> str:
        return str(self.asset_class[self.position[symbol]])


_SECURITY_COLUMNS = ("symbol", "price", "asset_class", "sector", "identical_group")


@dataclass(frozen=True, eq=False)
class Lots:
    """The open tax lots of a case, one row per lot in the case's order (columns).

    `quantity` and `cost_basis` (the lot's total basis) hold `Decimal`s (object columns);
    `acquired` is `datetime64[D]`.
    """

    id: np.ndarray
    symbol: np.ndarray
    quantity: np.ndarray
    cost_basis: np.ndarray
    acquired: np.ndarray

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, Decimal, Decimal, date]]) -> Lots:
        """From (id, symbol, quantity, cost_basis, acquired) rows."""
        ids, symbol, quantity, basis, acquired = _columns(rows, 5)
        return cls(
            id=_column(ids),
            symbol=_column(symbol),
            quantity=_column(quantity),
            cost_basis=_column(basis),
            acquired=as_days(acquired),
        )

    @classmethod
    def from_columns(
        cls,
        *,
        id: Iterable[str],
        symbol: Iterable[str],
        quantity: Iterable[Decimal],
        cost_basis: Iterable[Decimal],
        acquired: np.ndarray | Sequence[date],
    ) -> Lots:
        """From one sequence per column, of the values `from_rows` takes by row (equal to
        the `from_rows` of the same rows; `acquired` may also be `datetime64[D]`); the
        sequences must have one length."""
        columns = [_values(c) for c in (id, symbol, quantity, cost_basis)]
        columns.append(as_days(acquired))
        _one_length(columns)
        return cls(*columns)

    def __len__(self) -> int:
        return len(self.id)

    @cached_property
    def held_by_symbol(self) -> dict[str, Decimal]:
        """Shares held per symbol, in the order symbols first appear (made once)."""
        shares: dict[str, Decimal] = {}
        for symbol, held in zip(self.symbol.tolist(), self.quantity.tolist(), strict=True):
            shares[symbol] = shares.get(symbol, _NONE_HELD) + held
        return shares

    @cached_property
    def quantity_by_id(self) -> dict[str, Decimal]:
        """Each lot's shares by its id (made once)."""
        return dict(zip(self.id.tolist(), self.quantity.tolist(), strict=True))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Lots):
            return NotImplemented
        return all(_same(getattr(self, f), getattr(other, f)) for f in _LOT_COLUMNS)

    __hash__ = None  # type: ignore[assignment]


_NONE_HELD = Decimal("0")
_LOT_COLUMNS = ("id", "symbol", "quantity", "cost_basis", "acquired")


@dataclass(frozen=True)
class ScheduleDInputs:
    """Where the account's tax filer stands this year, for valuing gains and losses as
    Schedule D nets them (`optimizer/tax_value.py`); dollars, gains positive, losses
    negative, carried losses positive.

    `realized_*`: the filer's net gain realized this year before tonight, in all the
    filer's accounts (wash-sale disallowed losses added back, approved sales not yet filled
    included); `expected_*`: gains the filer expects to realize elsewhere this year;
    `carryforward_*`: capital losses carried into the year, by character;
    `ordinary_rate`: the rate on ordinary income (None: the short-term rate);
    `carryforward_years` and `discount_rate`: a loss carried out of this year is worth the
    long-term rate discounted over this many years at this rate; `loss_limit`: the
    deduction against ordinary income ($3,000; $1,500 married filing separately)."""

    filer: str = ""
    realized_short_term: Decimal = Decimal("0")
    realized_long_term: Decimal = Decimal("0")
    expected_short_term: Decimal = Decimal("0")
    expected_long_term: Decimal = Decimal("0")
    carryforward_short_term: Decimal = Decimal("0")
    carryforward_long_term: Decimal = Decimal("0")
    ordinary_rate: Decimal | None = None
    carryforward_years: Decimal = Decimal("3")
    discount_rate: Decimal = Decimal("0.05")
    loss_limit: Decimal = Decimal("3000")


SCHEDULE_D_INPUTS = (
    "realized_short_term",
    "realized_long_term",
    "expected_short_term",
    "expected_long_term",
    "carryforward_short_term",
    "carryforward_long_term",
    "carryforward_years",
    "discount_rate",
    "loss_limit",
)


@dataclass(frozen=True)
class TaxPreferences:
    short_term_rate: Decimal = Decimal("0.37")
    long_term_rate: Decimal = Decimal("0.20")
    harvest_losses: bool = True
    max_realized_gain: Decimal | None = None
    max_short_term_gain: Decimal | None = None
    # a short-term lot at a gain this many days or fewer from turning long-term is not
    # sold unless the cash need cannot be met otherwise (0: no waiting)
    long_term_wait_days: int = 0
    # None: every gain and loss at the flat rates above; given: valued at the filer's
    # Schedule D position (optimizer/tax_value.py)
    schedule_d: ScheduleDInputs | None = None
    # tonight's room in dollars of tax this year (the annual tax budget less what the
    # year has spent), at the Schedule D position's marginal rates; None: no budget
    max_tax: Decimal | None = None
    # a loss smaller than this percent of the lot's basis or these dollars is worth
    # nothing in the objective (the lot may still be sold for other reasons)
    harvest_min_loss_pct: Decimal = Decimal("0")
    harvest_min_loss_usd: Decimal = Decimal("0")
    # gain harvesting (a client in the 0 % long-term bracket): realize up to this much
    # net long-term gain tonight and buy the same shares back, stepping up their basis
    # (optimizer/gain_harvest.py); None: no gain harvesting
    harvest_gains_up_to: Decimal | None = None


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
class RiskPreferences:
    """How much tracking error an account accepts and what it is worth.

    `tracking_error_limit_pct`: %/yr of annualized tracking error against the published
    model (None: no limit). `risk_aversion`: scales the tracking-error term against tax and
    cost (1 = the platform's default price, see `optimizer/objective.py`). `min_benefit`:
    dollars a proposal's benefit must exceed beyond its cost; `min_benefit_bps` the same in
    basis points of the account's value (the larger applies). `sector_limit_pct` and
    `asset_class_limit_pct`: the largest |active weight| of any GICS sector or asset class,
    in % (None: no limit).
    """

    tracking_error_limit_pct: Decimal | None = None
    risk_aversion: Decimal = Decimal("1")
    min_benefit: Decimal = Decimal("0")
    min_benefit_bps: Decimal = Decimal("0")
    sector_limit_pct: Decimal | None = None
    asset_class_limit_pct: Decimal | None = None


@dataclass(frozen=True)
class GiftPlan:
    """A planned charitable gift in kind: lots worth up to `amount` dollars (at today's
    prices) leave the account on `date` (optimizer/gifting.py)."""

    amount: Decimal
    date: date


@dataclass(frozen=True)
class Preferences:
    tax: TaxPreferences = field(default_factory=TaxPreferences)
    restrictions: tuple[Restriction, ...] = ()
    screens: tuple[Screen, ...] = ()
    substitutions: tuple[Substitution, ...] = ()
    cash: CashPreferences = field(default_factory=CashPreferences)
    trading: TradingPreferences = field(default_factory=TradingPreferences)
    risk: RiskPreferences = field(default_factory=RiskPreferences)
    gift: GiftPlan | None = None


@dataclass(frozen=True)
class RecentBuy:
    symbol: str
    date: date
    quantity: Decimal | None = None


@dataclass(frozen=True)
class RecentLossSale:
    symbol: str
    date: date


@dataclass(frozen=True, eq=False)
class RiskModel:
    """A factor risk model: the covariance of returns is B F B' + diag(D).

    `loadings` (B) is securities x factors in the order of `symbols` and `factors`;
    `factor_covariance` (F) is factors x factors and `specific_variance` (D) one per
    security, both annualized in squared return units (0.04 is 20 %/yr). `id` is "" for an
    unnamed model. Arrays are float64; the model is never expanded to n x n.
    """

    id: str
    symbols: tuple[str, ...]
    factors: tuple[str, ...]
    loadings: np.ndarray
    factor_covariance: np.ndarray
    specific_variance: np.ndarray

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RiskModel):
            return NotImplemented
        return (
            self.id == other.id
            and self.symbols == other.symbols
            and self.factors == other.factors
            and all(
                _same(np.asarray(getattr(self, f)), np.asarray(getattr(other, f)))
                for f in ("loadings", "factor_covariance", "specific_variance")
            )
        )

    __hash__ = None  # type: ignore[assignment]

    @cached_property
    def position(self) -> dict[str, int]:
        """Symbol -> its row."""
        return {symbol: i for i, symbol in enumerate(self.symbols)}


@dataclass(frozen=True)
class Case:
    account_id: str
    as_of: date
    tax_status: str
    cash: Decimal
    securities: Securities
    lots: Lots
    target: dict[str, Decimal]
    preferences: Preferences
    equivalents: tuple[tuple[str, ...], ...] = ()
    recent_buys: tuple[RecentBuy, ...] = ()
    recent_loss_sales: tuple[RecentLossSale, ...] = ()
    risk_model: RiskModel | None = None


@dataclass(frozen=True)
class LotRelief:
    lot: str
    quantity: Decimal
    cost_basis: Decimal
    gain: Decimal
    term: str


@dataclass(frozen=True)
class ReasonDetail:
    """One reason for a trade in figures and plain words: `code` is one of `REASONS`,
    `amount` and `unit` (e.g. "-0.31" and "%/yr tracking error", "1240.00" and "USD") are
    what a page may format itself, `text` is the sentence ("-0.31 % tracking error")."""

    code: str
    amount: Decimal | None
    unit: str
    text: str


@dataclass(frozen=True)
class Trade:
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    value: Decimal
    reasons: tuple[str, ...]
    lots: tuple[LotRelief, ...] = ()
    reason_details: tuple[ReasonDetail, ...] = ()


@dataclass(frozen=True)
class GiftedLot:
    """Shares of one lot given away in kind (never sold): `value` at today's price,
    `appreciation` (value less basis) is the long-term gain the gift avoids."""

    lot: str
    symbol: str
    quantity: Decimal
    price: Decimal
    value: Decimal
    cost_basis: Decimal
    appreciation: Decimal


@dataclass(frozen=True)
class RuleCost:
    """What one binding rule costs: how much lower the objective would be without it
    (dollars, positive), and how the drift (against the adjusted target) and the estimated
    tax would change if it were lifted: `drift_cost` is drift with the rule minus drift
    without it, `tax_cost` likewise (negative when the rule saves tax).
    `tracking_error_cost_pct`: tracking error (%/yr) with the rule minus without it, where
    measured; `forced_drift`: the rule (or the cash need) forced tracking error above the
    account's limit, or a fund account's effective drift up (`drift_cap.py`)."""

    rule: str
    detail: str
    objective_cost: Decimal
    drift_cost: Decimal
    tax_cost: Decimal
    tracking_error_cost_pct: Decimal | None = None
    forced_drift: bool = False


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
    tracking_error_before_pct: Decimal | None = None
    tracking_error_after_pct: Decimal | None = None
    tracking_error_limit_pct: Decimal | None = None
    flags: tuple[str, ...] = ()
    no_trade_reason: str = ""
    lower_bound: Decimal | None = None
    certificate_gap_bp: Decimal | None = None
    # the filer's exact Schedule D tax of the year with and without the proposal (only
    # with preferences.tax.schedule_d), and the tax budget's room left after it
    schedule_d_tax_before: Decimal | None = None
    schedule_d_tax_after: Decimal | None = None
    tax_budget_left: Decimal | None = None
    # a planned gift: the value of the lots given and the tax their appreciation would
    # have cost if sold (at the long-term rate); only with preferences.gift
    gift_value: Decimal | None = None
    gift_tax_avoided: Decimal | None = None
    # the long-term gain realized by gain harvesting (only with harvest_gains_up_to)
    gain_harvested: Decimal | None = None


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
    gifts: tuple[GiftedLot, ...] = ()
