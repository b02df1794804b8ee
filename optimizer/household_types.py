"""What goes into and comes out of a household's optimization (`household.py`).

A household is optimized as one problem when its firm manages it as one: its accounts'
cases (each with its own lots, cash, cash needs, restrictions and tax status), one target
for the household's total value, and the accounts it holds elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from optimizer.location import DEFAULT_HORIZON_YEARS, DEFAULT_TABLE, LocationRow
from optimizer.types import Case, OptimizeResult, RecentBuy, RecentLossSale, RiskModel

DEFAULT_COVERAGE_DAYS = 30
"""Held-away transactions older than this (days before the run) leave the wash-sale
windows uncovered: the household is flagged `wash_sale_coverage_incomplete`."""
COVERAGE_FLAG = "wash_sale_coverage_incomplete"
FORCED_FLAG = "drift_forced"
SharedRows = tuple[tuple[int, ...], float | None, float | None]
"""A shared gain cap in the problem's terms: account indexes, net room, short-term room
(dollars; None where that cap is not shared)."""


@dataclass(frozen=True)
class HeldAway:
    """An account held elsewhere (a 401k, a spouse's brokerage): market values per symbol
    (dollars), its recent purchases and loss sales (they feed the wash-sale windows of
    every account of the household), and the date its transactions are known through.
    `counts_toward_allocation`: its holdings count toward the household's target (they are
    never traded)."""

    id: str
    tax_status: str
    values: Mapping[str, Decimal] = field(default_factory=dict)
    recent_buys: tuple[RecentBuy, ...] = ()
    recent_loss_sales: tuple[RecentLossSale, ...] = ()
    transactions_through: date | None = None
    counts_toward_allocation: bool = True


@dataclass(frozen=True)
class SharedCap:
    """A gain cap that the household's taxable accounts `accounts` (their ids) share: what
    is left of it tonight, in dollars of net realized gain (`max_realized_gain`) or of net
    short-term gain (`max_short_term_gain`); None: that cap is not shared. Each account's
    own cap still binds it alone."""

    accounts: tuple[str, ...]
    max_realized_gain: Decimal | None = None
    max_short_term_gain: Decimal | None = None


@dataclass(frozen=True)
class HouseholdCase:
    """One household: `accounts` are the cases of its managed accounts (their own `target`
    is not used); `target` is the household's (fractions of its total value, the rest
    cash); the tracking-error limit and risk aversion are the household's; asset location
    uses `location_table` over `horizon_years`; `shared_caps` are the gain caps its taxable
    accounts share (the household's cap, spent by them together)."""

    household_id: str
    as_of: date
    accounts: tuple[Case, ...]
    target: Mapping[str, Decimal]
    risk_model: RiskModel | None = None
    tracking_error_limit_pct: Decimal | None = None
    risk_aversion: Decimal = Decimal("1")
    horizon_years: Decimal = DEFAULT_HORIZON_YEARS
    location_table: Mapping[str, LocationRow] = field(default_factory=lambda: DEFAULT_TABLE)
    held_away: tuple[HeldAway, ...] = ()
    coverage_days: int = DEFAULT_COVERAGE_DAYS
    shared_caps: tuple[SharedCap, ...] = ()


@dataclass(frozen=True)
class HouseholdSummary:
    """The household's figures: tracking error (%/yr) and effective drift (fractions) of
    its total against its target before and after, tax and cost in dollars, the yearly tax
    that where its assets sit costs before and after (the asset-location table's estimate,
    dollars per year), and `flags` (`drift_forced`, `wash_sale_coverage_incomplete`).
    `wash_sale_groups`: identical groups where one side (buy or loss sale) was chosen for
    the whole household."""

    tracking_error_before_pct: Decimal
    tracking_error_after_pct: Decimal
    tracking_error_limit_pct: Decimal | None
    drift_before: Decimal
    drift_after: Decimal
    estimated_tax: Decimal
    transaction_cost: Decimal
    location_tax_before: Decimal
    location_tax_after: Decimal
    horizon_years: Decimal
    flags: tuple[str, ...] = ()
    wash_sale_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class HouseholdResult:
    """Each account's own answer (its trades are its own proposal) and the household's
    summary; `status` is `optimal`, `infeasible`, `invalid` or `error`."""

    household: str
    status: str
    accounts: tuple[OptimizeResult, ...] = ()
    summary: HouseholdSummary | None = None
    message: str = ""
