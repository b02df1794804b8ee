"""Infeasible accounts: find what conflicts and say it in an advisor's words."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from optimizer.prepare import Prepared


def usd(value: float) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def infeasibility(*, prep: Prepared) -> str | None:
    """A message naming the conflict when no trade list can meet the hard constraints
    (cash needs, gain caps, what may be sold); None when some trade list can."""
    case = prep.case
    lot_dollars = prep.lot_value * prep.value
    sellable = np.where(prep.lot_sellable, lot_dollars, 0.0)
    keep = 1.0 - prep.cost_rate
    required = float(case.preferences.cash.min + case.preferences.cash.withdrawal)
    cash = float(case.cash)
    reachable = cash + keep * float(sellable.sum())
    if reachable < required - 0.005:
        return _cash_message(
            prep=prep, required=required, reachable=reachable, sellable=float(sellable.sum())
        )
    loss_only = float(sellable[prep.lot_gain_ratio <= 0].sum())
    caps = [cap for cap in (prep.max_gain, prep.max_short_gain) if cap is not None]
    if min(caps, default=0.0) >= 0 and cash + keep * loss_only >= required - 0.005:
        return None
    best = _max_cash_within_caps(prep=prep, sellable=sellable)
    if best is None:
        return _cap_message(prep=prep)
    if cash + keep * best < required - 0.005:
        return (
            f"{_need(prep=prep, required=required)}, but the gain caps ({_caps(prep=prep)}) "
            f"allow selling at most {usd(best)}: cash of {usd(cash)} plus that is "
            f"{usd(cash + keep * best)}"
        )
    return None


def _need(*, prep: Prepared, required: float) -> str:
    cash_prefs = prep.case.preferences.cash
    parts = []
    if cash_prefs.withdrawal > 0:
        parts.append(f"withdrawal of {usd(float(cash_prefs.withdrawal))}")
    if cash_prefs.min > 0:
        parts.append(f"minimum cash of {usd(float(cash_prefs.min))}")
    return f"{' plus '.join(parts) or 'the cash need'} needs {usd(required)}"


def _cash_message(*, prep: Prepared, required: float, reachable: float, sellable: float) -> str:
    blocked: dict[str, list[str]] = {}
    amounts: dict[str, float] = {}
    lot_dollars = prep.lot_value * prep.value
    for j, reason in enumerate(prep.lot_block):
        if reason:
            label = {
                "do_not_sell": "do-not-sell",
                "hold": "on hold",
                "wash_sale": "blocked by the wash-sale rule",
                "long_term_wait": "waiting to turn long-term",
            }[reason]
            amounts[label] = amounts.get(label, 0.0) + float(lot_dollars[j])
            symbol = prep.symbols[prep.lot_security[j]]
            if symbol not in blocked.setdefault(label, []):
                blocked[label].append(symbol)
    details = "; ".join(
        f"{usd(amounts[label])} is {label} ({', '.join(blocked[label])})" for label in amounts
    )
    gross = float(prep.case.cash) + sellable
    after_costs = f" ({usd(reachable)} after trading costs)" if prep.cost_rate > 0 else ""
    message = (
        f"{_need(prep=prep, required=required)}, which exceeds the {usd(gross)} of cash "
        f"({usd(float(prep.case.cash))}) plus everything that may be sold ({usd(sellable)})"
        f"{after_costs}"
    )
    return f"{message}; {details}" if details else message


def _caps(*, prep: Prepared) -> str:
    tax = prep.case.preferences.tax
    parts = []
    if tax.max_realized_gain is not None:
        parts.append(f"max_realized_gain {usd(float(tax.max_realized_gain))}")
    if tax.max_short_term_gain is not None:
        parts.append(f"max_short_term_gain {usd(float(tax.max_short_term_gain))}")
    return ", ".join(parts)


def _cap_message(*, prep: Prepared) -> str:
    loss = prep.lot_gain_ratio * prep.lot_value * prep.value
    available = float(-loss[prep.lot_sellable & (loss < 0)].sum())
    return (
        f"the gain caps ({_caps(prep=prep)}) require realizing losses, but at most "
        f"{usd(available)} of losses may be realized"
    )


def _max_cash_within_caps(*, prep: Prepared, sellable: np.ndarray) -> float | None:
    """Most that may be sold (dollars) while both gain caps hold; None if the caps alone
    cannot be met."""
    if prep.max_gain is None and prep.max_short_gain is None:
        return float(sellable.sum())
    gains = prep.lot_gain_ratio
    rows, rhs = [], []
    if prep.max_gain is not None:
        rows.append(gains)
        rhs.append(prep.max_gain * prep.value)
    if prep.max_short_gain is not None:
        rows.append(gains * prep.lot_is_short)
        rhs.append(prep.max_short_gain * prep.value)
    if len(sellable) == 0:
        return 0.0 if min(rhs) >= 0 else None
    result = linprog(
        -np.ones(len(sellable)),
        A_ub=np.array(rows),
        b_ub=np.array(rhs),
        bounds=list(zip(np.zeros(len(sellable)), sellable, strict=True)),
        method="highs",
    )
    if result.status != 0 or result.fun is None:
        return None
    return -float(result.fun)
