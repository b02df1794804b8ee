"""A direct index's effective drift raised by a loss harvest, named as what the wash-sale
rule forces.

A direct index's stocks are each their own line (`drift.py`): no partner of one equivalence
set takes a harvested stock's place, as a tax-swap partner does in a fund account, and the
wash-sale rule forbids buying the stock back within its window. So the weight
of the loss lots a harvest sells must go to other lines, and each dollar of it raises the
account's effective drift by at most a dollar (sum of |gaps| halved: the sold line's gap
and the line it goes to each move by the dollar). The rise a harvest may force is therefore

    footprint = (loss lots sold, at today's price) / account value,

plus what a cash need forces (`drift_cap.cash_need_share`), plus `DRIFT_ROUNDING` for whole
shares and costs. A direct index's proposal whose effective drift ends above where it
started by more than `DRIFT_ROUNDING`, but by no more than that, and whose tracking error
ends inside its limit (or no higher than it started), is flagged `drift_forced` with the
wash-sale rule as the rule, its tax saved and the stocks it may not buy back in the detail,
and the drift and tracking error it costs beside it. Its measure stays tracking error: a
rise beyond the footprint, or one that leaves tracking error above its limit, is not
explained by the harvest, and is left unflagged for the outcome figures to count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from optimizer.drift import drift_is_measure
from optimizer.drift_cap import DRIFT_ROUNDING, cash_need_share, drift_forced
from optimizer.forced import CASH_NEED, cash_need_detail
from optimizer.output import ratio
from optimizer.payoff import DRIFT_FORCED, within_limit
from optimizer.prepare import Prepared
from optimizer.types import OptimizeResult, Trade
from tax_calendar.wash_sale import window_end

NO_WASH_SALES_RULE = "wash_sale"
HARVEST = "loss harvest"
"""How the wash-sale rule's `detail` begins where it names a harvest (`harvest_detail`)."""


def names_harvest(detail: str) -> bool:
    """Whether a wash-sale rule's `detail` names a direct index's harvest."""
    return detail.startswith(HARVEST)


def loss_sales(trades: tuple[Trade, ...]) -> tuple[Decimal, tuple[str, ...]]:
    """The value at today's price of the loss lots the trades sell (dollars), and the
    symbols they are sold from."""
    value = Decimal(0)
    symbols: list[str] = []
    for trade in trades:
        if trade.side != "sell":
            continue
        sold = sum((lot.quantity for lot in trade.lots if lot.gain < 0), Decimal(0))
        if sold > 0:
            value += sold * trade.price
            symbols.append(trade.symbol)
    return value, tuple(symbols)


def harvest_forced(result: OptimizeResult, *, prep: Prepared) -> OptimizeResult:
    """`result` flagged as the module docstring says where its drift rise is what its loss
    harvest (and cash need) forces; any other result as it is."""
    summary = result.summary
    if (
        summary is None
        or DRIFT_FORCED in summary.flags
        or drift_is_measure(case=prep.case)
        or summary.drift_after <= ratio(float(summary.drift_before) + DRIFT_ROUNDING)
    ):
        return result
    sold, symbols = loss_sales(result.trades)
    if not symbols:
        return result
    footprint = float(sold) / prep.value
    need = cash_need_share(prep)
    allowed = float(summary.drift_before) + footprint + need + DRIFT_ROUNDING
    if summary.drift_after > ratio(allowed) or not _tracking_kept(result, prep=prep):
        return result
    detail = harvest_detail(
        sold=sold, symbols=symbols, tax=summary.estimated_tax, as_of=prep.case.as_of
    )
    flagged = _named(drift_forced(result, rule=NO_WASH_SALES_RULE, detail=detail), detail=detail)
    if need > 0:
        flagged = drift_forced(flagged, rule=CASH_NEED, detail=cash_need_detail(prep.case))
    return flagged


def _named(result: OptimizeResult, *, detail: str) -> OptimizeResult:
    """`result` whose wash-sale rule is named once: where the explanation had already costed
    the rule (its objective, tax and drift with it against without it: `explain.py`), that
    entry carries the harvest's detail and is marked as forcing drift, with the tracking
    error it costs, in place of the entry `drift_forced` added."""
    summary = result.summary
    assert summary is not None
    rules = list(summary.binding_rules)
    added = next(r for r in rules if (r.rule, r.detail) == (NO_WASH_SALES_RULE, detail))
    costed = [r for r in rules if r.rule == NO_WASH_SALES_RULE and r is not added]
    if not costed:
        return result
    rules.remove(added)
    k = rules.index(costed[0])
    rules[k] = replace(
        costed[0],
        detail=detail,
        forced_drift=True,
        tracking_error_cost_pct=added.tracking_error_cost_pct,
    )
    return replace(result, summary=replace(summary, binding_rules=tuple(rules)))


def _tracking_kept(result: OptimizeResult, *, prep: Prepared) -> bool:
    """Whether the result's tracking error ends inside its limit as a proposal is held to it,
    or no higher than it started."""
    summary = result.summary
    assert summary is not None
    before, after = summary.tracking_error_before_pct, summary.tracking_error_after_pct
    if after is None:
        return True
    if before is not None and after <= before:
        return True
    limit = prep.case.preferences.risk.tracking_error_limit_pct
    return within_limit(float(after) / 100.0, None if limit is None else float(limit) / 100.0)


def harvest_detail(*, sold: Decimal, symbols: tuple[str, ...], tax: Decimal, as_of: dt.date) -> str:
    """The harvest as `binding_rules` names it where it forces a direct index's drift up."""
    until = window_end(sold=as_of)
    saved = f", ${-tax:,.2f} of tax saved" if tax < 0 else ""
    stocks = "1 stock" if len(symbols) == 1 else f"{len(symbols)} stocks"
    return (
        f"{HARVEST}: ${sold:,.2f} of loss lots sold in {stocks}{saved}; "
        f"not bought back until after {until.isoformat()}"
    )


__all__ = [
    "HARVEST",
    "NO_WASH_SALES_RULE",
    "harvest_detail",
    "harvest_forced",
    "loss_sales",
    "names_harvest",
]
