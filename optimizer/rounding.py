"""From a continuous solution to tradable quantities.

Whole shares (unless fractional shares are allowed, then 6 decimals): trades round to
the nearest step (a sale that nearly empties its allowed lots takes them all). Trades
below the minimum trade value are dropped, except a sale closing a whole position; the
problem is then re-solved once with the dropped trades fixed at zero and the kept ones
held at or above the minimum. A final repair trims purchases (or adds to a sale) while
cash falls short, and trims gain-bearing sales while a gain cap is exceeded, each step by
as many shares as the excess needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.lots import (
    allocate_lots,
    allocate_within_caps,
    cap_excess,
    caps_hold,
    violated_caps,
)
from optimizer.problem import Problem
from optimizer.solvers import Bounds

FRACTION_DIGITS = 6
_STEP = 10.0**-FRACTION_DIGITS
_MAX_REPAIRS = 400
DUST_USD = 0.01
DUST_SHARE = 1e-4
DUST_MAX_USD = 25.0


@dataclass(frozen=True)
class Plan:
    """Shares bought and sold per security, and sold per lot."""

    buy_qty: np.ndarray
    sale_qty: np.ndarray
    lot_sold: np.ndarray


def shares(*, problem: Problem, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Continuous purchases and sales per security, in shares."""
    prep, lay = problem.prep, problem.layout
    buys = x[lay.b] * prep.value / prep.price
    sold = (
        np.bincount(prep.lot_security, weights=np.maximum(x[lay.s], 0.0), minlength=lay.n)
        if lay.m
        else np.zeros(lay.n)
    )
    return np.maximum(buys, 0.0), sold * prep.value / prep.price


def allowed_lots(*, problem: Problem, bounds: Bounds) -> np.ndarray:
    return bounds.x_u[problem.layout.s] > 0


def round_quantities(
    *, problem: Problem, x: np.ndarray, allowed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Round trades to the nearest step, dropping dust (under a cent, or under 0.01 % of
    the account up to $25: not worth a trade, while a one-share sale in a large account
    survives); a sale that nearly empties its allowed lots takes them all. `repair` then
    restores cash and caps."""
    prep = problem.prep
    whole = not prep.case.preferences.trading.fractional_shares
    buy_sh, sale_sh = shares(problem=problem, x=x)
    dust = max(DUST_USD, min(DUST_SHARE * prep.value, DUST_MAX_USD)) / prep.price
    buy_sh = np.where(buy_sh < dust, 0.0, buy_sh)
    sale_sh = np.where(sale_sh < dust, 0.0, sale_sh)
    room = sellable_shares(problem=problem, allowed=allowed)
    step = 1.0 if whole else _STEP
    buy_qty = np.floor(buy_sh / step + 0.5) * step
    sale_qty = np.minimum(np.floor(sale_sh / step + 0.5) * step, np.floor(room / step) * step)
    closing = (sale_sh >= room - 1e-6) & (room > 0)
    if whole:
        closing &= room == np.floor(room)
    sale_qty = np.where(closing, room, np.maximum(sale_qty, 0.0))
    return np.maximum(buy_qty, 0.0), sale_qty


def sellable_shares(*, problem: Problem, allowed: np.ndarray) -> np.ndarray:
    prep = problem.prep
    if prep.n_lots == 0:
        return np.zeros(prep.n_securities)
    shares: np.ndarray = np.bincount(
        prep.lot_security, weights=np.where(allowed, prep.lot_qty, 0.0), minlength=prep.n_securities
    )
    return shares


def closes_position(*, problem: Problem, sale_qty: np.ndarray) -> np.ndarray:
    prep = problem.prep
    closes: np.ndarray = (sale_qty > 0) & (np.abs(sale_qty - prep.held_qty) <= 1e-9)
    return closes


def below_minimum(
    *, problem: Problem, buy_qty: np.ndarray, sale_qty: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Purchases and sales under the minimum trade value (a closing sale is exempt)."""
    prep = problem.prep
    minimum = float(prep.case.preferences.trading.min_trade_value)
    small_buy = (buy_qty > 0) & (np.round(buy_qty * prep.price, 2) < minimum)
    small_sale = (sale_qty > 0) & (np.round(sale_qty * prep.price, 2) < minimum)
    small_sale &= ~closes_position(problem=problem, sale_qty=sale_qty)
    return small_buy, small_sale


def minimum_trade_bounds(
    *, problem: Problem, bounds: Bounds, buy_qty: np.ndarray, sale_qty: np.ndarray
) -> Bounds:
    """Dropped trades fixed at zero, kept ones at least the minimum trade value (a kept
    sale through lower bounds on its cheapest lots)."""
    prep, lay = problem.prep, problem.layout
    minimum = float(prep.case.preferences.trading.min_trade_value) / prep.value
    small_buy, small_sale = below_minimum(problem=problem, buy_qty=buy_qty, sale_qty=sale_qty)
    x_l, x_u = bounds.x_l.copy(), bounds.x_u.copy()
    x_u[lay.b][(buy_qty == 0) | small_buy] = 0.0
    x_l[lay.b] = np.where((buy_qty > 0) & ~small_buy, np.minimum(minimum, x_u[lay.b]), 0.0)
    dropped_sale = (sale_qty == 0) | small_sale
    if lay.m:
        x_u[lay.s][dropped_sale[prep.lot_security]] = 0.0
        kept = ~dropped_sale & ~closes_position(problem=problem, sale_qty=sale_qty)
        floor_qty = np.where(kept, minimum * prep.value / prep.price, 0.0)
        allowed = x_u[lay.s] > 0
        floor_lots = allocate_lots(prep=prep, sale_qty=floor_qty, allowed=allowed)
        x_l[lay.s] = np.minimum(floor_lots * prep.price[prep.lot_security] / prep.value, x_u[lay.s])
    return Bounds(h_l=bounds.h_l, h_u=bounds.h_u, x_l=x_l, x_u=x_u)


def tightened_bounds(
    *, problem: Problem, bounds: Bounds, buy_qty: np.ndarray, sale_qty: np.ndarray
) -> Bounds:
    """Caps lowered by one share's gain per traded security, and the cash need raised by
    one share of the dearest traded security, so the next rounding lands inside them."""
    prep, lay = problem.prep, problem.layout
    x_l, x_u = bounds.x_l.copy(), bounds.x_u.copy()
    traded = (buy_qty > 0) | (sale_qty > 0)
    sold_lots = sale_qty[prep.lot_security] > 0 if lay.m else np.zeros(0, dtype=bool)
    gain_per_share = np.maximum(prep.price[prep.lot_security] * prep.lot_gain_ratio, 0.0)
    worst = np.zeros(lay.n)
    worst_short = np.zeros(lay.n)
    np.maximum.at(worst, prep.lot_security[sold_lots], gain_per_share[sold_lots])
    short = sold_lots & prep.lot_is_short
    np.maximum.at(worst_short, prep.lot_security[short], gain_per_share[short])
    x_u[lay.gain] -= worst.sum() / prep.value
    x_u[lay.short_gain] -= worst_short.sum() / prep.value
    x_l[lay.cash] += float(prep.price[traded].max(initial=0.0)) / prep.value
    return Bounds(h_l=bounds.h_l, h_u=bounds.h_u, x_l=x_l, x_u=x_u)


def cash_after(*, problem: Problem, buy_qty: np.ndarray, sale_qty: np.ndarray) -> float:
    """Cash left after trades and costs (cost rounded up to the cent), in dollars."""
    prep = problem.prep
    buys = np.round(buy_qty * prep.price, 2)
    sales = np.round(sale_qty * prep.price, 2)
    cost = float(np.ceil(prep.cost_rate * float(buys.sum() + sales.sum()) * 100 - 1e-6) / 100)
    return float(prep.case.cash) + float(sales.sum()) - float(buys.sum()) - cost


def repair(
    *, problem: Problem, buy_qty: np.ndarray, sale_qty: np.ndarray, allowed: np.ndarray
) -> Plan | None:
    """Trim purchases until cash suffices and gain sales until the caps hold; None if the
    quantities cannot be made to meet both."""
    prep = problem.prep
    buy_qty, sale_qty = buy_qty.copy(), sale_qty.copy()
    required = float(prep.case.preferences.cash.min + prep.case.preferences.cash.withdrawal)
    for _ in range(_MAX_REPAIRS):
        small_buy, small_sale = below_minimum(problem=problem, buy_qty=buy_qty, sale_qty=sale_qty)
        buy_qty[small_buy] = 0.0
        sale_qty[small_sale] = 0.0
        lot_sold = allocate_within_caps(prep=prep, sale_qty=sale_qty, allowed=allowed)
        if lot_sold is None or not caps_hold(prep=prep, lot_sold=lot_sold):
            if not _fix_caps(problem=problem, sale_qty=sale_qty, allowed=allowed):
                return None
            continue
        shortfall = required - cash_after(problem=problem, buy_qty=buy_qty, sale_qty=sale_qty)
        if shortfall > 1e-9:
            if not (
                _trim_buy(problem=problem, buy_qty=buy_qty, shortfall=shortfall + 0.01)
                or _raise_sale(
                    problem=problem, sale_qty=sale_qty, allowed=allowed, shortfall=shortfall + 0.01
                )
            ):
                return None
            continue
        return Plan(buy_qty=buy_qty, sale_qty=sale_qty, lot_sold=lot_sold)
    return None


def _trim_buy(*, problem: Problem, buy_qty: np.ndarray, shortfall: float) -> bool:
    prep = problem.prep
    values = buy_qty * prep.price
    if not np.any(values > 0):
        return False
    i = int(np.argmax(values))
    step = _STEP if prep.case.preferences.trading.fractional_shares else 1.0
    cut = np.ceil(shortfall / (prep.price[i] * (1 + prep.cost_rate)) / step) * step
    buy_qty[i] = max(0.0, buy_qty[i] - max(cut, step))
    return True


def _fix_caps(*, problem: Problem, sale_qty: np.ndarray, allowed: np.ndarray) -> bool:
    """One step toward the gain caps: trim a gain sale, or (first, when a cap is negative
    and so asks for realized losses) sell more of a loss lot."""
    prep = problem.prep
    negative = min(c for c in (prep.max_gain, prep.max_short_gain, 0.0) if c is not None) < 0
    steps = (_raise_loss_sale, _trim_gain_sale) if negative else (_trim_gain_sale, _raise_loss_sale)
    return any(step(problem=problem, sale_qty=sale_qty, allowed=allowed) for step in steps)


def _raise_loss_sale(*, problem: Problem, sale_qty: np.ndarray, allowed: np.ndarray) -> bool:
    """Sell the shares the excess needs (at least one step, up to the minimum trade, at
    most the whole position) of the security whose unsold allowed lots carry the deepest
    loss per share."""
    prep = problem.prep
    lot_sold = allocate_lots(prep=prep, sale_qty=sale_qty, allowed=allowed)
    broken = violated_caps(prep=prep, lot_sold=lot_sold)
    loss_per_share = -np.minimum(prep.price[prep.lot_security] * prep.lot_gain_ratio, 0.0)
    counts = prep.lot_is_short if broken == ("short",) else np.ones(prep.n_lots, dtype=bool)
    candidates = allowed & (prep.lot_qty - lot_sold >= 1e-9) & (loss_per_share > 0) & counts
    if not np.any(candidates):
        return False
    lot = int(np.flatnonzero(candidates)[np.argmax(loss_per_share[candidates])])
    i = prep.lot_security[lot]
    room = sellable_shares(problem=problem, allowed=allowed)[i]
    minimum = float(prep.case.preferences.trading.min_trade_value)
    step = _step(problem=problem)
    more = _shares_for(cap_excess(prep=prep, lot_sold=lot_sold), loss_per_share[lot], step)
    wanted = max(sale_qty[i] + more, np.ceil(minimum / prep.price[i] - 1e-9))
    sale_qty[i] = min(wanted, room)
    return True


def _trim_gain_sale(*, problem: Problem, sale_qty: np.ndarray, allowed: np.ndarray) -> bool:
    """Cut what the excess needs (whole shares, at least one step, at most what the lot
    gives) from the sale whose relieved lots carry the largest gain per share counting
    toward the broken cap: one step per broken lot rather than one share per step."""
    prep = problem.prep
    lot_sold = allocate_lots(prep=prep, sale_qty=sale_qty, allowed=allowed)
    broken = violated_caps(prep=prep, lot_sold=lot_sold)
    gain_per_share = prep.price[prep.lot_security] * prep.lot_gain_ratio
    counts = prep.lot_is_short if broken == ("short",) else np.ones(prep.n_lots, dtype=bool)
    candidates = (lot_sold > 0) & (gain_per_share > 0) & counts
    if not np.any(candidates):
        return False
    lot = int(np.flatnonzero(candidates)[np.argmax(gain_per_share[candidates])])
    i = prep.lot_security[lot]
    step = _step(problem=problem)
    cut = _shares_for(cap_excess(prep=prep, lot_sold=lot_sold), gain_per_share[lot], step)
    sale_qty[i] = max(0.0, sale_qty[i] - min(cut, lot_sold[lot]))
    return True


def _step(*, problem: Problem) -> float:
    return _STEP if problem.prep.case.preferences.trading.fractional_shares else 1.0


def _shares_for(excess: float, per_share: float, step: float) -> float:
    """Whole steps of shares that move realized gain by `excess` dollars at `per_share`
    dollars a share; at least one step."""
    if per_share <= 0:
        return step
    return max(step, float(np.ceil(excess / per_share / step - 1e-9)) * step)


def _raise_sale(
    *, problem: Problem, sale_qty: np.ndarray, allowed: np.ndarray, shortfall: float
) -> bool:
    """Sell more of one security (cheapest tax per dollar first) to close a cash shortfall;
    the sale grows to at least the minimum trade, or to the whole position."""
    prep = problem.prep
    room = sellable_shares(problem=problem, allowed=allowed)
    step = _STEP if prep.case.preferences.trading.fractional_shares else 1.0
    minimum = float(prep.case.preferences.trading.min_trade_value)
    need = np.ceil(shortfall / (prep.price * (1 - prep.cost_rate)) / step) * step
    floor_qty = np.ceil(minimum / prep.price / step - 1e-9) * step
    wanted = np.minimum(np.maximum(sale_qty + np.maximum(need, step), floor_qty), room)
    reaches = (wanted * prep.price >= minimum) | (np.abs(wanted - prep.held_qty) <= 1e-9)
    usable = (wanted > sale_qty + 1e-12) & reaches
    if not np.any(usable):
        return False
    tax = np.full(prep.n_securities, np.inf)
    np.minimum.at(tax, prep.lot_security[allowed], prep.lot_objective_tax[allowed])
    tax[~usable] = np.inf
    i = int(np.argmin(tax))
    sale_qty[i] = wanted[i]
    return True
