"""Which lots a sale relieves.

Within one sale, lots go cheapest tax per share first (tax per share = rate x gain per
share, a loss being negative), so no unsold lot would have cost less tax than a sold one
(contract invariant 7). Outside taxable accounts tax is zero, and the lowest gain goes
first, which is kindest to gain caps. Lots a rule forbids (restriction, wash sale, the
group's chosen direction) are never relieved. When the greedy order would break a gain
cap, a small LP finds the cheapest relief that meets the caps.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from optimizer.prepare import Prepared


def lot_order_key(*, prep: Prepared) -> np.ndarray:
    """Tax per share of each lot (gain per share outside taxable accounts)."""
    if prep.n_lots == 0:
        return np.zeros(0)
    price = prep.price[prep.lot_security]
    basis_per_share = price - prep.lot_gain_ratio * price
    gain_per_share = price - basis_per_share
    if prep.case.tax_status == "taxable":
        taxed: np.ndarray = prep.lot_tax_rate * gain_per_share
        return taxed
    return np.asarray(gain_per_share, dtype=float)


def allocate_lots(*, prep: Prepared, sale_qty: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Shares sold from each lot, greedy cheapest-first per security (vectorized).

    `sale_qty` is shares per security; `allowed` marks the lots that may be relieved. A
    sale larger than its allowed lots is capped at what they hold.
    """
    if prep.n_lots == 0:
        return np.zeros(0)
    key = lot_order_key(prep=prep)
    ids = prep.case.lots.id.astype(str)
    order = np.lexsort((ids, key, ~allowed, prep.lot_security))
    qty = np.where(allowed, prep.lot_qty, 0.0)[order]
    security = prep.lot_security[order]
    cumulative = np.cumsum(qty)
    starts = np.concatenate([[0.0], cumulative[:-1]])
    first = np.searchsorted(security, security, side="left")
    before = starts - starts[first]
    taken = np.clip(sale_qty[security] - before, 0.0, qty)
    out = np.zeros(prep.n_lots)
    out[order] = taken
    return out


def realized_gains(*, prep: Prepared, lot_sold: np.ndarray) -> tuple[float, float]:
    """Net realized gain and net short-term gain in dollars, each lot's gain rounded to the
    cent as the answer reports it."""
    if prep.n_lots == 0:
        return 0.0, 0.0
    proceeds = _cents(lot_sold * prep.price[prep.lot_security])
    basis_total = prep.lot_qty * prep.price[prep.lot_security] * (1.0 - prep.lot_gain_ratio)
    whole_lot = np.abs(lot_sold - prep.lot_qty) < 1e-9
    basis = np.where(whole_lot, basis_total, _cents(basis_total * lot_sold / prep.lot_qty))
    gain = np.where(lot_sold > 0, proceeds - basis, 0.0)
    return float(gain.sum()), float(gain[prep.lot_is_short].sum())


def _cents(value: np.ndarray) -> np.ndarray:
    cents: np.ndarray = np.floor(np.abs(value) * 100 + 0.5 + 1e-9) / 100 * np.sign(value)
    return cents


def allocate_within_caps(
    *, prep: Prepared, sale_qty: np.ndarray, allowed: np.ndarray
) -> np.ndarray | None:
    """Greedy relief, or when that breaks a cap, the least-tax relief meeting the caps
    (None when no relief of these quantities meets them)."""
    greedy = allocate_lots(prep=prep, sale_qty=sale_qty, allowed=allowed)
    if caps_hold(prep=prep, lot_sold=greedy):
        return greedy
    return _capped_relief(prep=prep, sale_qty=sale_qty, allowed=allowed)


def caps_hold(*, prep: Prepared, lot_sold: np.ndarray) -> bool:
    """Both gain caps hold, for gains rounded to the cent as the answer reports them."""
    return not violated_caps(prep=prep, lot_sold=lot_sold)


def violated_caps(*, prep: Prepared, lot_sold: np.ndarray) -> tuple[str, ...]:
    """Which caps ("gain", "short") the relief breaks."""
    gain, short_gain = realized_gains(prep=prep, lot_sold=lot_sold)
    out = []
    if prep.max_gain is not None and gain > _cap_dollars(cap=prep.max_gain, prep=prep) + 1e-6:
        out.append("gain")
    if (
        prep.max_short_gain is not None
        and short_gain > _cap_dollars(cap=prep.max_short_gain, prep=prep) + 1e-6
    ):
        out.append("short")
    return tuple(out)


def cap_excess(*, prep: Prepared, lot_sold: np.ndarray) -> float:
    """Dollars by which the relief's realized gains exceed the broken caps (the larger
    excess when both are broken; zero when both hold)."""
    gain, short_gain = realized_gains(prep=prep, lot_sold=lot_sold)
    excess = 0.0
    if prep.max_gain is not None:
        excess = max(excess, gain - _cap_dollars(cap=prep.max_gain, prep=prep))
    if prep.max_short_gain is not None:
        excess = max(excess, short_gain - _cap_dollars(cap=prep.max_short_gain, prep=prep))
    return excess


def _cap_dollars(*, cap: float, prep: Prepared) -> float:
    return round(cap * prep.value, 2)


def _capped_relief(
    *, prep: Prepared, sale_qty: np.ndarray, allowed: np.ndarray
) -> np.ndarray | None:
    lots = np.flatnonzero(allowed & (sale_qty[prep.lot_security] > 0))
    if len(lots) == 0:
        return None
    price = prep.price[prep.lot_security[lots]]
    gain_per_share = price * prep.lot_gain_ratio[lots]
    key = lot_order_key(prep=prep)[lots]
    securities = np.unique(prep.lot_security[lots])
    a_eq = (prep.lot_security[lots][None, :] == securities[:, None]).astype(float)
    rows, rhs = [], []
    if prep.max_gain is not None:
        rows.append(gain_per_share)
        rhs.append(prep.max_gain * prep.value)
    if prep.max_short_gain is not None:
        rows.append(gain_per_share * prep.lot_is_short[lots])
        rhs.append(prep.max_short_gain * prep.value)
    result = linprog(
        key + 1e-9 * gain_per_share,
        A_ub=np.array(rows),
        b_ub=np.array(rhs),
        A_eq=a_eq,
        b_eq=sale_qty[securities],
        bounds=list(zip(np.zeros(len(lots)), prep.lot_qty[lots], strict=True)),
        method="highs",
    )
    if result.status != 0 or result.x is None:
        return None
    out = np.zeros(prep.n_lots)
    out[lots] = np.clip(result.x, 0.0, prep.lot_qty[lots])
    if not prep.case.preferences.trading.fractional_shares:
        out = _whole_pieces(prep=prep, relief=out, sale_qty=sale_qty, allowed=allowed)
    return out if caps_hold(prep=prep, lot_sold=out) else None


def _whole_pieces(
    *, prep: Prepared, relief: np.ndarray, sale_qty: np.ndarray, allowed: np.ndarray
) -> np.ndarray:
    """Whole shares per lot: floor each piece, then hand the shares left over to the lots
    with room, cheapest tax first."""
    floored = np.floor(relief + 1e-9)
    missing = sale_qty - np.bincount(
        prep.lot_security, weights=floored, minlength=prep.n_securities
    )
    room_left = np.where(allowed, prep.lot_qty, 0.0) - floored
    extra = allocate_lots(
        prep=prep, sale_qty=np.maximum(missing, 0.0), allowed=allowed & (room_left >= 1.0)
    )
    return floored + np.minimum(np.floor(extra + 1e-9), np.floor(room_left + 1e-9))
