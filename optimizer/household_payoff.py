"""Whether a household's proposal pays for itself, as `payoff.py` decides for one account.

A household's trades are made when a need asks for them (an account's cash need, or a
household that starts outside its tracking-error limit and is brought inside it or at
least a quarter of the way), or when they pay: the tax they save, plus the asset-location
tax they save each year over the household's horizon, must exceed what trading costs
(`cost_bps` of the value traded, at least 2 bp) plus the accounts' minimum benefits.
Tracking its target more closely is worth what the objective prices it at, except inside
the household's limit, where it is worth nothing. Else the
household proposes no trades, every account saying why.
"""

from __future__ import annotations

from decimal import Decimal

from money import CENT, ZERO
from optimizer.household_output import AccountPlan
from optimizer.payoff import limit_requires, minimum_benefit, within_limit
from optimizer.prepare import MIN_COST_RATE, Prepared


def unpaid(
    *,
    preps: tuple[Prepared, ...],
    plans: tuple[AccountPlan, ...],
    te_before: float,
    te_after: float,
    limit: float | None,
    location_saved_per_year: Decimal,
    horizon_years: Decimal,
    risk_price: float,
    household_value: float,
) -> str:
    """Why the household's trades are not worth making, or "" when they are (or are
    needed)."""
    traded = sum((t.value for plan in plans for t in plan.trades), ZERO)
    if traded <= 0:
        return ""
    if any(p.cash0 < p.cash_required - 1e-12 for p in preps):
        return ""
    # the household solve prices tracking up to 1,000x: what it leaves outside, a rule forced
    if limit_requires(before=te_before, after=te_after, limit=limit, forced=True):
        return ""
    tax_saved = -sum((plan.estimated_tax for plan in plans), ZERO)
    location = location_saved_per_year * horizon_years
    tracking = ZERO  # inside its limit a household gains nothing from closer tracking
    if limit is None or not within_limit(te_before, limit):
        saved = risk_price * (te_before**2 - te_after**2) * household_value
        tracking = Decimal(repr(saved)).quantize(CENT)
    rate = max(max(p.cost_rate for p in preps), MIN_COST_RATE)
    cost = (Decimal(repr(rate)) * traded).quantize(CENT)
    minimum = sum((Decimal(repr(minimum_benefit(p))) for p in preps), ZERO).quantize(CENT)
    benefit = tax_saved + location + tracking
    if benefit > cost + minimum:
        return ""
    return (
        f"the household's trades' benefit (${benefit:,.2f}: tax saved ${tax_saved:,.2f}, "
        f"tracking worth ${tracking:,.2f}, asset location ${location:,.2f} over "
        f"{horizon_years} years) does not exceed their "
        f"cost (${cost:,.2f} of trading plus a minimum benefit of ${minimum:,.2f})"
    )


def nothing(prep: Prepared, *, reason: str) -> AccountPlan:
    """An account's plan of no trades."""
    return AccountPlan(
        trades=(),
        held_after=prep.held_qty.copy(),
        cash_after=prep.case.cash,
        estimated_tax=ZERO,
        cost=ZERO,
        short_gain=ZERO,
        long_gain=ZERO,
        no_trade_reason=reason,
    )
