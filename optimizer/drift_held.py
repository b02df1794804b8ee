"""A fund account's answer with its effective drift held (`drift_cap.py`): solved again
under the drift rows, rounded, explained and settled as the first answer was."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from optimizer.answer import contract_result, no_trades, rule_costs, tradable_plan
from optimizer.drift_cap import (
    DRIFT_ROUNDING,
    cash_need_share,
    drift_forced,
    held_solve,
    raises_drift,
)
from optimizer.forced import CASH_NEED, cash_need_detail
from optimizer.objective import Solved
from optimizer.output import ratio
from optimizer.payoff import settle
from optimizer.prepare import Prepared
from optimizer.rounding import Plan
from optimizer.tax_solve import with_exact_tax
from optimizer.types import OptimizeResult, RuleCost

LIMIT_RULE = "tracking_error_limit"
DRIFT_TRIES = 2
DRIFT_STEP = 0.0001
"""How much further (one reported place) the drift cap is cut than what rounding left
above it, when the account is solved again."""


def drift_held(
    *,
    prep: Prepared,
    solved: Solved,
    cap: float,
    first: tuple[OptimizeResult, Plan],
    explain: bool,
) -> tuple[OptimizeResult, Plan, Solved]:
    """A fund account's answer with its effective drift held at most `cap` (`drift_cap.py`),
    the cap cut by what rounding leaves above it and solved again, `DRIFT_TRIES` times at
    most; then no trades, where no trades meet the account's rules. Where no answer keeps
    the tracking-error limit (or a hard rule) and the cap together, the `first` answer
    stands, flagged as forced by it."""
    nothing = no_trades(prep)
    aim = cap
    last: tuple[OptimizeResult, Plan, Solved] | None = None
    for _ in range(DRIFT_TRIES):
        held = held_solve(solved=solved, cap=aim)
        if held is None and last is None:
            return _limit_forced(first[0], prep=prep, cap=cap), first[1], solved
        if held is None:
            # the cut cap and the limit do not hold together: no whole-share answer found
            break
        answer = _held_answer(prep=prep, held=held, explain=explain, nothing=nothing)
        if answer is None:
            break
        last = (*answer, held)
        if not raises_drift(answer[0], cap=cap):
            return last
        assert answer[0].summary is not None
        if aim <= 0:
            break
        over = float(answer[0].summary.drift_after) - float(ratio(cap + DRIFT_ROUNDING))
        aim = max(aim - over - DRIFT_STEP, 0.0)
    empty = contract_result(prep=prep, plan=nothing, rules=(), alternative=True)
    if empty is None or empty.summary is None:
        return last if last is not None else (*first, solved)
    found = first[0].summary or empty.summary
    reason = no_drift_reason(cap=cap, found=found.drift_after)
    empty = settle(prep=prep, solved=solved, result=empty, no_trades=lambda: None)
    assert empty.summary is not None
    empty = replace(empty, summary=replace(empty.summary, no_trade_reason=reason))
    return empty, nothing, solved


def _held_answer(
    *, prep: Prepared, held: Solved, explain: bool, nothing: Plan
) -> tuple[OptimizeResult, Plan] | None:
    """The contract answer of a drift-held solve (rounded, explained, settled), and its
    plan; None where neither its trades nor no trades meet the rules."""
    problem, session = held.problem, held.session
    plan = tradable_plan(problem=problem, session=session, bounds=held.final, x=held.x)
    rules: tuple[RuleCost, ...] = ()
    if explain:
        rules = rule_costs(
            problem=problem, session=session, base=held.base, final=held.final, x=held.x
        )
    result = contract_result(prep=prep, plan=plan, rules=rules)
    if result is None:
        plan, result = nothing, contract_result(prep=prep, plan=nothing, rules=rules)
    if result is None:
        return None

    def empty() -> OptimizeResult | None:
        return contract_result(prep=prep, plan=nothing, rules=rules, alternative=True)

    settled = settle(prep=prep, solved=held, result=result, no_trades=empty)
    settled = with_exact_tax(result=settled, prep=prep)
    return settled, plan if settled.trades and plan is not None else nothing


def _limit_forced(result: OptimizeResult, *, prep: Prepared, cap: float) -> OptimizeResult:
    """`result`, whose effective drift ends above `cap` because no answer within the cap
    keeps the tracking-error limit or the cash need, flagged as forced by it."""
    if cash_need_share(prep) > 0:
        return drift_forced(result, rule=CASH_NEED, detail=cash_need_detail(prep.case))
    limit = prep.case.preferences.risk.tracking_error_limit_pct
    return drift_forced(result, rule=LIMIT_RULE, detail=limit_detail(limit_pct=limit, cap=cap))


def limit_detail(*, limit_pct: Decimal | None, cap: float) -> str:
    """The tracking-error limit as `binding_rules` names it where it forces drift up."""
    return f"tracking error at most {limit_pct} %/yr, with drift at most {cap * 100:.2f} %"


def no_drift_reason(*, cap: float, found: Decimal, whose: str = "") -> str:
    """Why no trades are proposed where no whole-share answer keeps drift within `cap`."""
    return (
        f"no whole-share trade list keeps {whose}effective drift at or below "
        f"{float(ratio(cap + DRIFT_ROUNDING)) * 100:.2f} % (the trades found would leave it at "
        f"{float(found) * 100:.2f} %)"
    )
