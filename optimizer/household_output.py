"""From a household's continuous answer to each account's trades and result.

Per account: sales round up to whole shares (down where rounding up would take the account
past a gain cap or its tax room: `over_caps`) (a sale that nearly empties its lots takes
them all; under `DUST_SHARES` of a share is dropped) and are relieved from the lots the
answer sold, cheapest tax first (`lots.py`); purchases round down (to the nearest share
where the household's drift is held, `household_drift.py`). Trades under the
account's minimum trade value are dropped, and purchases are trimmed, largest first, until
the account's cash after trading and costs meets its own cash need (one trimmed below the
minimum is dropped, so no trade of zero shares is proposed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import numpy as np

from money import CENT, ZERO, cents_half_up
from optimizer.household_problem import HouseholdLayout
from optimizer.household_types import HouseholdSummary, SharedRows
from optimizer.lots import allocate_lots
from optimizer.output import lot_reliefs, quantity, ratio, relief_order
from optimizer.prepare import Prepared
from optimizer.types import Case, OptimizeResult, Summary, Trade

DUST_SHARES = 0.05
SHARE_STEP = Decimal("0.000001")
NO_TRADES = "the household is within its limits and no trade pays for itself"


@dataclass(frozen=True)
class AccountPlan:
    trades: tuple[Trade, ...]
    held_after: np.ndarray
    """Shares per security after the trades."""
    cash_after: Decimal
    estimated_tax: Decimal
    cost: Decimal
    short_gain: Decimal
    long_gain: Decimal
    message: str = ""
    no_trade_reason: str = ""


def _shares(value: float, *, whole: bool, up: bool) -> Decimal:
    if whole:
        return Decimal(int(np.ceil(value - DUST_SHARES) if up else np.floor(value + 1e-9)))
    rounding = ROUND_CEILING if up else ROUND_FLOOR
    return Decimal(repr(float(value))).quantize(SHARE_STEP, rounding=rounding).normalize()


def round_account(
    *,
    prep: Prepared,
    x: np.ndarray,
    layout: HouseholdLayout,
    a: int,
    household_value: float,
    sales_up: bool = True,
    buys_nearest: bool = False,
) -> AccountPlan:
    """Account `a`'s trades from the household's answer `x` (module docstring); with
    `sales_up` false, sales round down too (`over_caps`); with `buys_nearest`, whole-share
    purchases round to the nearest share (then trimmed to the cash need as ever), so a
    household whose drift is held (`household_drift.py`) is not left with the cash of a
    share per purchase."""
    case = prep.case
    whole = not case.preferences.trading.fractional_shares
    lot_sh = (
        np.maximum(x[layout.s(a)], 0.0)
        * household_value
        / np.maximum(prep.price[prep.lot_security], 1e-12)
    )
    buy_sh = np.maximum(x[layout.b(a)], 0.0) * household_value / np.maximum(prep.price, 1e-12)
    allowed = lot_sh > 1e-9
    room = np.bincount(
        prep.lot_security, weights=np.where(allowed, prep.lot_qty, 0.0), minlength=len(buy_sh)
    )
    wanted = np.bincount(prep.lot_security, weights=lot_sh, minlength=len(buy_sh))
    sale = np.zeros(len(buy_sh))
    buy = np.zeros(len(buy_sh))
    for i in np.flatnonzero(wanted > 0).tolist():
        closing = wanted[i] >= room[i] * 0.999 - 1e-9
        qty = room[i] if closing else float(_shares(wanted[i], whole=whole, up=sales_up))
        sale[i] = min(qty, room[i])
    for i in np.flatnonzero(buy_sh > 0).tolist():
        nearest = buys_nearest and whole
        buy[i] = (
            float(np.floor(buy_sh[i] + 0.5))
            if nearest
            else float(_shares(buy_sh[i], whole=whole, up=False))
        )
    minimum = float(case.preferences.trading.min_trade_value)
    value_of = prep.price
    floor = max(minimum, 0.005)
    sale[sale * value_of < floor] = 0.0
    buy[buy * value_of < floor] = 0.0
    _trim_buys(prep=prep, buy=buy, sale=sale, whole=whole)
    buy[buy * value_of < floor] = 0.0  # a purchase trimmed to (nearly) nothing is dropped
    lot_sold = allocate_lots(prep=prep, sale_qty=sale, allowed=allowed)
    return _plan(prep=prep, buy=buy, sale=sale, lot_sold=lot_sold)


def over_caps(
    *, plans: Sequence[AccountPlan], cases: Sequence[Case], shared: Sequence[SharedRows]
) -> set[int]:
    """Accounts whose rounded sales realize more than a cap allows: their own net or
    short-term gain cap, one they share with other accounts, or (without Schedule D
    inputs) their tax room at the flat rates. Their sales are rounded down instead."""
    over = set()
    for a, (plan, case) in enumerate(zip(plans, cases, strict=True)):
        tax = case.preferences.tax
        if case.tax_status != "taxable":
            continue
        net = plan.short_gain + plan.long_gain
        flat_room = tax.max_tax if tax.schedule_d is None else None
        if (
            (tax.max_realized_gain is not None and net > tax.max_realized_gain)
            or (tax.max_short_term_gain is not None and plan.short_gain > tax.max_short_term_gain)
            or (flat_room is not None and plan.estimated_tax > flat_room)
        ):
            over.add(a)
    for members, net_room, short_room in shared:
        group_net = float(sum((plans[a].short_gain + plans[a].long_gain for a in members), ZERO))
        group_short = float(sum((plans[a].short_gain for a in members), ZERO))
        if (net_room is not None and group_net > net_room + 0.005) or (
            short_room is not None and group_short > short_room + 0.005
        ):
            over |= set(members)
    return over


def _cash_short(*, prep: Prepared, buy: np.ndarray, sale: np.ndarray) -> float:
    """Dollars the account's cash after trading falls short of its need (<= 0: none)."""
    c = prep.cost_rate
    proceeds = float(sale @ prep.price)
    spent = float(buy @ prep.price)
    cash = prep.cash0 * prep.value + proceeds - spent - c * (proceeds + spent)
    return prep.cash_required * prep.value - cash + 0.01


def _trim_buys(*, prep: Prepared, buy: np.ndarray, sale: np.ndarray, whole: bool) -> None:
    short = _cash_short(prep=prep, buy=buy, sale=sale)
    for i in np.argsort(-(buy * prep.price)).tolist():
        if short <= 0 or buy[i] <= 0:
            break
        per_share = prep.price[i] * (1 + prep.cost_rate)
        cut = np.ceil(short / per_share) if whole else short / per_share
        buy[i] = max(0.0, buy[i] - cut)
        short = _cash_short(prep=prep, buy=buy, sale=sale)


def _plan(
    *, prep: Prepared, buy: np.ndarray, sale: np.ndarray, lot_sold: np.ndarray
) -> AccountPlan:
    case = prep.case
    taxable = case.tax_status == "taxable"
    whole = not case.preferences.trading.fractional_shares
    needs_cash = prep.cash0 < prep.cash_required
    trades: list[Trade] = []
    grouped = relief_order(prep=prep, lot_sold=lot_sold)
    sold_of = lot_sold.tolist()
    for i in np.flatnonzero((sale > 0) | (buy > 0)).tolist():
        symbol = prep.symbols[i]
        price = case.securities.price_of(symbol)
        if sale[i] > 0:
            qty = quantity(float(sale[i]), whole=whole)
            lots = lot_reliefs(prep=prep, i=i, total=qty, lot_sold=sold_of, lots=grouped.get(i, []))
            reasons = ["rebalance"]
            if taxable and any(r.gain < 0 for r in lots):
                reasons.insert(0, "tax_loss_harvest")
            if needs_cash:
                reasons.append("raise_cash")
            trades.append(
                Trade(symbol, "sell", qty, price, cents_half_up(qty * price), tuple(reasons), lots)
            )
        if buy[i] > 0:
            qty = quantity(float(buy[i]), whole=whole)
            reasons = ["rebalance"] if prep.cash0 <= prep.cash_required else ["invest_cash"]
            trades.append(
                Trade(symbol, "buy", qty, price, cents_half_up(qty * price), tuple(reasons))
            )
    traded = sum((t.value for t in trades), ZERO)
    cost = (case.preferences.trading.cost_bps / Decimal(10_000) * traded).quantize(
        CENT, rounding=ROUND_CEILING
    )
    sells = sum((t.value for t in trades if t.side == "sell"), ZERO)
    buys = sum((t.value for t in trades if t.side == "buy"), ZERO)
    reliefs = [r for t in trades for r in t.lots]
    short = sum((r.gain for r in reliefs if r.term == "short"), ZERO)
    long = sum((r.gain for r in reliefs if r.term == "long"), ZERO)
    tax = ZERO
    if taxable:
        rates = case.preferences.tax
        tax = cents_half_up(short * rates.short_term_rate + long * rates.long_term_rate)
    return AccountPlan(
        trades=tuple(trades),
        held_after=prep.held_qty + buy - sale,
        cash_after=case.cash + sells - buys - cost,
        estimated_tax=tax,
        cost=cost,
        short_gain=short,
        long_gain=long,
    )


def account_result(
    *, prep: Prepared, plan: AccountPlan, household: HouseholdSummary
) -> OptimizeResult:
    """One account's answer; its tracking error, drift and flags are the household's."""
    traded = sum((t.value for t in plan.trades), ZERO)
    summary = Summary(
        realized_short_term_gain=plan.short_gain,
        realized_long_term_gain=plan.long_gain,
        estimated_tax=plan.estimated_tax,
        transaction_cost=plan.cost,
        turnover=ratio(traded / Decimal(repr(prep.value)) if prep.value else ZERO),
        drift_before=household.drift_before,
        drift_after=household.drift_after,
        tracking_error_before_pct=household.tracking_error_before_pct,
        tracking_error_after_pct=household.tracking_error_after_pct,
        tracking_error_limit_pct=household.tracking_error_limit_pct,
        flags=household.flags,
        no_trade_reason="" if plan.trades else (plan.no_trade_reason or NO_TRADES),
    )
    return OptimizeResult(
        account=prep.case.account_id,
        status="optimal",
        message=plan.message,
        trades=plan.trades,
        cash_after=plan.cash_after,
        summary=summary,
    )
