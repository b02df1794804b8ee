"""Whether a proposal pays, what it does to tracking error, and each trade's reasons in
figures and plain words.

A proposal's benefit is the tracking it saves (the drop in the objective's tracking term,
priced as in `objective.py`, in dollars), plus the tax it saves (minus the tax it costs),
at the account's rates. Its cost is what trading costs (cost_bps of the value traded, at
least 2 bp for the spread) plus the account's `min_benefit`. A proposal whose benefit does
not exceed its cost becomes "no trades" (status optimal, no trades, a `no_trade_reason`).
An account inside its tracking-error limit gains nothing from tracking it more closely:
there the tracking saved counts for nothing, so only tax makes a trade worth it, unless it
holds something screened or substituted away (selling that is a benefit). A cash need
(cash below the minimum plus the withdrawal) is met whatever it costs, and so is the limit
of an account that starts outside it (`limit_requires`). Inside and outside are one rule
(`within_limit`): the limit plus what the solver and whole shares may leave above it, so a
proposal's answer, filled and optimized again at the same prices, starts inside and asks
for nothing the limit requires.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from money import CENT, ZERO
from optimizer.forced import forcing_rules
from optimizer.objective import LIMIT_TOLERANCE, Solved, pct, published_active
from optimizer.output import ratio
from optimizer.prepare import MIN_COST_RATE, Prepared, weighed_tracking
from optimizer.types import OptimizeResult, ReasonDetail, RuleCost, Summary, Trade

DRIFT_FORCED = "drift_forced"
ROUNDING_TOLERANCE = 0.0005
"""How far (0.05 %/yr) whole-share rounding may carry a proposal's tracking error above the
continuous answer's before it counts as leaving the limit."""
CLOSE_IN_SHARE = 0.25
"""An account held outside its limit by a hard rule trades toward it when that closes at
least this share of the distance (less is not worth a night's trades unless it pays)."""


def cash_need(prep: Prepared) -> bool:
    return prep.cash0 < prep.cash_required - 1e-12


def after_active(*, prep: Prepared, trades: tuple[Trade, ...], cash_after: Decimal) -> np.ndarray:
    """Active weights against the published target once the trades are done and the
    withdrawal is paid out."""
    shares = prep.held_qty.copy()
    position = {s: i for i, s in enumerate(prep.symbols)}
    for trade in trades:
        sign = 1.0 if trade.side == "buy" else -1.0
        shares[position[trade.symbol]] += sign * float(trade.quantity)
    held = shares * prep.price
    value = float(held.sum()) + float(cash_after - prep.case.preferences.cash.withdrawal)
    if value <= 0:
        return -prep.target_published
    active: np.ndarray = held / value - prep.target_published
    return active


def settle(
    *,
    prep: Prepared,
    solved: Solved,
    result: OptimizeResult,
    no_trades: Callable[[], OptimizeResult | None],
) -> OptimizeResult:
    """The answer with its tracking-error figures, flags and reason details; "no trades"
    where the proposal does not pay, or where it would leave the limit unforced."""
    if result.status != "optimal" or result.summary is None or result.cash_after is None:
        return result
    verdict = _verdict(prep=prep, solved=solved, result=result, no_trades=no_trades)
    kept = verdict.result
    summary = _settled_summary(prep=prep, solved=solved, verdict=verdict)
    trades = kept.trades
    if trades and kept.cash_after is not None:
        trades = reason_details(
            prep=prep,
            trades=trades,
            cash_after=kept.cash_after,
            active=verdict.active if kept is result else None,
        )
    return replace(kept, summary=summary, trades=trades)


@dataclass(frozen=True)
class _Verdict:
    """What `settle` decided: the answer kept (the proposal or no trades), its tracking
    error after, whether a rule forced it outside the limit (`rounded_out`: whole shares
    did), why there are no trades, and the proposal's active weights."""

    result: OptimizeResult
    after: float
    forced: bool
    rounded_out: bool
    reason: str
    active: np.ndarray


def _verdict(
    *,
    prep: Prepared,
    solved: Solved,
    result: OptimizeResult,
    no_trades: Callable[[], OptimizeResult | None],
) -> _Verdict:
    """Keep the proposal, or give no trades where it does not pay or would leave the limit
    unforced (and no trades breaks no hard rule)."""
    assert result.cash_after is not None
    need = cash_need(prep)
    active = after_active(prep=prep, trades=result.trades, cash_after=result.cash_after)
    after = prep.risk.tracking_error(active)
    forced = solved.forced or solved.limits_dropped
    reason = ""
    rounded_out = False
    top = solved.ceiling
    if result.trades and not need:
        above = not within_limit(after, top)
        if above and not forced and after < solved.before - ROUNDING_TOLERANCE:
            # the continuous answer met the limit and whole shares keep the account out,
            # though far closer than it starts: the trades stand, and say what forced it
            forced = rounded_out = True
        elif above and not forced and top is not None:
            reason = (
                f"the trades would leave tracking error at {after * 100:.2f} %/yr, above "
                f"{top * 100:.2f} %/yr"
            )
        elif not limit_requires(
            before=solved.before, after=after, limit=solved.ceiling, forced=forced
        ):
            reason = _unpaid(prep=prep, solved=solved, result=result)
        if reason:
            empty = no_trades()
            if empty is not None and empty.summary is not None:
                result = empty
                after = prep.risk.tracking_error(
                    after_active(prep=prep, trades=(), cash_after=result.cash_after or ZERO)
                )
                # still outside the limit with no trades: forced only where a hard rule
                # keeps every answer outside it
                forced = solved.forced and not within_limit(after, top)
            else:
                # no trades would break a hard rule (a gain cap that asks for a loss, say):
                # the trades stand, and where whole shares took them past the limit, say so
                reason = ""
                if above:
                    forced = rounded_out = True
    if not result.trades and not reason:
        reason = "nothing to do: no trade is worth its cost"
    above = not within_limit(after, top)
    if need and above:
        forced = True
    if above and not forced and not result.trades:
        # the continuous answer met the limit; no whole-share trade list did
        forced = rounded_out = True
        reason = (
            "no trade of whole shares (at least the minimum trade size) brings tracking error "
            f"toward its {(top or 0.0) * 100:.2f} %/yr limit"
        )
    return _Verdict(
        result=result,
        after=after,
        forced=forced,
        rounded_out=rounded_out,
        reason=reason,
        active=active,
    )


def _settled_summary(*, prep: Prepared, solved: Solved, verdict: _Verdict) -> Summary:
    """The kept answer's summary with its tracking error before and after, its limit, the
    `drift_forced` flag and the rule that forced it (whole shares where they did), and
    the no-trade reason."""
    summary = verdict.result.summary
    assert summary is not None
    after, forced = verdict.after, verdict.forced
    if verdict.rounded_out:
        summary = replace(
            summary,
            binding_rules=(
                *summary.binding_rules,
                RuleCost(
                    rule="whole_shares",
                    detail="whole shares and the minimum trade size",
                    objective_cost=ZERO,
                    drift_cost=ratio(0.0),
                    tax_cost=ZERO,
                    tracking_error_cost_pct=pct(max(0.0, after - solved.tracking_error)),
                    forced_drift=True,
                ),
            ),
        )
    if forced and not any(r.forced_drift for r in summary.binding_rules):
        summary = replace(
            summary, binding_rules=forcing_rules(solved=solved, rules=summary.binding_rules)
        )
    if not forced and any(r.forced_drift for r in summary.binding_rules):
        summary = replace(
            summary,
            binding_rules=tuple(replace(r, forced_drift=False) for r in summary.binding_rules),
        )
    flags = tuple(summary.flags) + ((DRIFT_FORCED,) if forced else ())
    return replace(
        summary,
        tracking_error_before_pct=pct(solved.before),
        tracking_error_after_pct=pct(after),
        tracking_error_limit_pct=prep.case.preferences.risk.tracking_error_limit_pct,
        flags=flags,
        no_trade_reason=verdict.reason if not verdict.result.trades else "",
    )


def within_limit(tracking_error: float, limit: float | None) -> bool:
    """Whether a tracking error is inside the limit as a proposal is held to it: up to
    `LIMIT_TOLERANCE` for the solver and `ROUNDING_TOLERANCE` for whole shares above it.
    Where an answer may end, the next night starts inside: the rule that accepts an answer
    is the rule that judges the account it leaves, so re-optimizing an answer at unchanged
    prices asks for no trades the limit would require."""
    return limit is None or tracking_error <= limit + LIMIT_TOLERANCE + ROUNDING_TOLERANCE


def limit_requires(*, before: float, after: float, limit: float | None, forced: bool) -> bool:
    """Whether trades are what the tracking-error limit asks of an account (or household)
    that starts outside it (`within_limit`): they bring it inside, or (where a hard rule
    keeps it out, `forced`) close at least `CLOSE_IN_SHARE` of the way, and at least
    `ROUNDING_TOLERANCE`. Such trades are made whatever their tax, as a cash need is: the
    limit gives way to hard rules only."""
    if limit is None or within_limit(before, limit):
        return False
    if within_limit(after, limit):
        return True
    closed = before - after
    return forced and closed >= max(ROUNDING_TOLERANCE, CLOSE_IN_SHARE * (before - limit))


def _unpaid(*, prep: Prepared, solved: Solved, result: OptimizeResult) -> str:
    """Why the proposal does not pay, or "" when it does."""
    summary = result.summary
    assert summary is not None
    value = prep.value
    traded = float(sum((t.value for t in result.trades), ZERO))
    cost = max(prep.cost_rate, MIN_COST_RATE) * traded
    minimum = minimum_benefit(prep)
    tax_saved = -float(summary.estimated_tax)
    excluded = prep.screened | prep.substituted
    holds_excluded = any(prep.held_qty[i] > 0 for i, s in enumerate(prep.symbols) if s in excluded)
    limit = prep.te_limit
    inside = limit is not None and within_limit(solved.before, limit) and not holds_excluded
    tracking = 0.0
    if not inside:
        u_before = prep.holding - prep.target_adjusted
        u_after = u_before + _trade_weights(prep=prep, result=result)
        # as the objective weighs it: an excluded holding sold is worth what the solve
        # paid for it, not only the tracking error it removes
        drop = weighed_tracking(prep, u_before) - weighed_tracking(prep, u_after)
        tracking = drop * value
    benefit = tracking + tax_saved
    if benefit > cost + minimum:
        return ""
    parts = [f"tax saved ${tax_saved:,.2f}"]
    if inside:
        band = "" if solved.before <= (limit or 0.0) else ", as whole shares allow"
        parts.append(
            f"tracking error {solved.before * 100:.2f} %/yr already inside its "
            f"{(limit or 0.0) * 100:.2f} %/yr limit{band}"
        )
    else:
        parts.append(f"tracking worth ${tracking:,.2f}")
    return (
        f"the trades' benefit (${benefit:,.2f}: {', '.join(parts)}) does not exceed their cost "
        f"(${cost:,.2f} of trading plus a minimum benefit of ${minimum:,.2f})"
    )


def minimum_benefit(prep: Prepared) -> float:
    """Dollars a proposal must be worth beyond its cost: the larger of the account's
    `min_benefit` and `min_benefit_bps` of its value."""
    risk = prep.case.preferences.risk
    return max(float(risk.min_benefit), float(risk.min_benefit_bps) / 10_000.0 * prep.value)


def _trade_weights(*, prep: Prepared, result: OptimizeResult) -> np.ndarray:
    """Each security's traded weight (buys positive), fraction of the account."""
    change = np.zeros(prep.n_securities)
    position = {s: i for i, s in enumerate(prep.symbols)}
    for trade in result.trades:
        sign = 1.0 if trade.side == "buy" else -1.0
        change[position[trade.symbol]] += sign * float(trade.value) / prep.value
    return change


def _usd(value: Decimal | float) -> str:
    return f"${abs(float(value)):,.0f}"


def reason_details(
    *,
    prep: Prepared,
    trades: tuple[Trade, ...],
    cash_after: Decimal,
    active: np.ndarray | None = None,
) -> tuple[Trade, ...]:
    """Each trade with what it buys, in figures and words; `active` is `after_active` of
    these trades where the caller has it."""
    if active is None:
        active = after_active(prep=prep, trades=trades, cash_after=cash_after)
    risk = prep.risk
    exposure = risk.exposure
    covariance_row = exposure @ (exposure.T @ active) + risk.specific * active
    own = np.einsum("ij,ij->i", exposure, exposure) + risk.specific
    variance = max(0.0, risk.variance(active))
    withdrawal = prep.case.preferences.cash.withdrawal
    cash = prep.case.preferences.cash
    base = float(cash_after - withdrawal) + float((prep.held_qty * prep.price).sum())
    base = base if base > 0 else max(prep.value, 1.0)
    position = {s: i for i, s in enumerate(prep.symbols)}
    bought_by_class: dict[int, list[str]] = {}
    for t in trades:
        if t.side == "buy":
            bought_by_class.setdefault(int(prep.security_class[position[t.symbol]]), []).append(
                t.symbol
            )
    out = []
    unchanged = _tracking_detail(0.0)  # most trades of a large account move it too little
    covariance_of, own_of = covariance_row.tolist(), own.tolist()
    deviation = math.sqrt(variance)
    for trade in trades:
        i = position[trade.symbol]
        step = (1.0 if trade.side == "buy" else -1.0) * float(trade.value) / base
        without = variance - 2.0 * step * covariance_of[i] + step * step * own_of[i]
        delta = deviation - math.sqrt(max(0.0, without))
        details = [unchanged if abs(delta) < 5e-5 else _tracking_detail(delta)]
        if trade.side == "sell" and prep.case.tax_status == "taxable":
            details += _tax_detail(
                prep=prep,
                trade=trade,
                partners=bought_by_class.get(int(prep.security_class[i]), []),
            )
        if trade.side == "sell" and "raise_cash" in trade.reasons:
            if withdrawal > 0:
                text = f"cash for the {_usd(withdrawal)} withdrawal"
                amount = withdrawal
            else:
                text = f"cash for the {_usd(cash.min)} cash minimum"
                amount = cash.min
            details.append(ReasonDetail(code="raise_cash", amount=amount, unit="USD", text=text))
        if trade.side == "buy" and "invest_cash" in trade.reasons:
            details.append(
                ReasonDetail(
                    code="invest_cash",
                    amount=trade.value,
                    unit="USD",
                    text=f"invests {_usd(trade.value)} of cash",
                )
            )
        out.append(
            Trade(
                symbol=trade.symbol,
                side=trade.side,
                quantity=trade.quantity,
                price=trade.price,
                value=trade.value,
                reasons=trade.reasons,
                lots=trade.lots,
                reason_details=tuple(details),
            )
        )
    return tuple(out)


def _tracking_detail(delta: float) -> ReasonDetail:
    return ReasonDetail(
        code="rebalance",
        amount=pct(delta).quantize(CENT),
        unit="%/yr tracking error",
        text=f"{delta * 100:+.2f} % tracking error",
    )


def _tax_detail(*, prep: Prepared, trade: Trade, partners: list[str]) -> list[ReasonDetail]:
    rates = prep.case.preferences.tax
    short_rate, long_rate = rates.short_term_rate, rates.long_term_rate
    tax = ZERO
    for r in trade.lots:
        tax += r.gain * (short_rate if r.term == "short" else long_rate)
    if tax < 0:
        named = ", ".join(partners[:3]) + (
            f" and {len(partners) - 3} more" if len(partners) > 3 else ""
        )
        replaced = f", replaced by {named}" if partners else ""
        harvest = "loss harvest" if "tax_loss_harvest" in trade.reasons else "loss realized"
        return [
            ReasonDetail(
                code="tax_loss_harvest" if "tax_loss_harvest" in trade.reasons else "rebalance",
                amount=-tax.quantize(CENT),
                unit="USD tax saved",
                text=f"{_usd(tax)} tax saved ({harvest}{replaced})",
            )
        ]
    if tax > 0:
        return [
            ReasonDetail(
                code="rebalance",
                amount=tax.quantize(CENT),
                unit="USD tax",
                text=f"{_usd(tax)} tax on the gain realized",
            )
        ]
    return []


__all__ = ["DRIFT_FORCED", "published_active", "settle"]
