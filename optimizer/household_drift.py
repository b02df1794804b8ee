"""A household managed as one keeps its effective drift where it starts, unless an
account's cash need forces it up: one fund account's rule (`drift_cap.py`) for the household.

A household whose target holds no stock (`drift.holds_no_stock`) is judged by its effective
drift: its holdings (held-away ones that count toward its allocation included) and its
accounts' cash against its target (`household.py`'s summary). Its proposal never leaves that
drift above

    cap = drift before + n,

n the cash its accounts must raise (each account's need, a fraction of the household),
beyond `drift_cap.DRIFT_ROUNDING` for whole shares. Asset location moves a class between
accounts, not the household's weights, so it needs no drift. Where the first answer goes
above the cap, the household is solved again (its wash-sale sides and its tracking weight
found again) under the rows of `drift_cap.py` over its active weights u and its accounts'
cash z_a (fractions of the household):

    sum_L |g_L| + |g_cash| - sum_a c_a (sum s_a + sum b_a) <= 2 cap,
    g_L = sum_{i in L} u_i - (1 - share) t_L,   g_cash = sum_a z_a - (1 - sum_L t_L),

the cap cut by what whole shares leave above it and solved once more where they do
(`drift_held.DRIFT_TRIES` solves at most); then no trades, unless a cash need asks for
them. Where a cash need raises drift, or no answer within the cap keeps the household's
tracking-error limit, the proposal is flagged `drift_forced` and every account's
`binding_rules` names the rule (`cash_need` with the account that needs the cash, or
`tracking_error_limit`) with the drift it costs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from optimizer.drift_cap import (
    DRIFT_ROUNDING,
    MOST_LINES,
    DriftColumns,
    DriftLines,
    above_cap,
    drift_forced,
    drift_rows,
    line_count,
    widened,
)
from optimizer.drift_held import (
    DRIFT_STEP,
    DRIFT_TRIES,
    LIMIT_RULE,
    limit_detail,
    no_drift_reason,
)
from optimizer.errors import OptimizerError
from optimizer.forced import CASH_NEED, cash_need_detail
from optimizer.household_output import AccountPlan
from optimizer.household_problem import HouseholdProblem
from optimizer.household_types import FORCED_FLAG, HouseholdSummary
from optimizer.output import ratio
from optimizer.prepare import Prepared
from optimizer.types import OptimizeResult


@dataclass(frozen=True)
class HouseholdAnswer:
    """A household's proposal before each account's result is made."""

    plans: tuple[AccountPlan, ...]
    summary: HouseholdSummary


def need_share(preps: Sequence[Prepared], *, household_value: float) -> float:
    """The cash the household's accounts must raise, a fraction of the household."""
    need = sum(max(0.0, p.cash_required - p.cash0) * p.value for p in preps)
    return need / max(household_value, 1e-9)


def household_cap(
    *,
    preps: Sequence[Prepared],
    published: np.ndarray,
    lines: Mapping[str, str],
    drift_before: float,
    household_value: float,
) -> float | None:
    """The most effective drift the household's proposal may leave unflagged: drift before
    plus the cash need; None where more than `MOST_LINES` of its lines are held or in its
    target. The caller has checked that drift is the household's measure."""
    placed = published > 0
    for prep in preps:
        placed = placed | (prep.holding > 0)
    if line_count(symbols=preps[0].symbols, placed=placed, lines=lines) > MOST_LINES:
        return None
    return drift_before + need_share(preps, household_value=household_value)


def capped_household(
    problem: HouseholdProblem, *, lines: DriftLines, cap: float
) -> HouseholdProblem:
    """`problem` with the drift rows of the module docstring."""
    lay = problem.layout
    wide = replace(lay, n_drift=lines.member.shape[0] + 1)
    rates = [prep.cost_rate for prep in problem.accounts]
    cost_rate = np.concatenate(
        [np.full(lots, rate) for lots, rate in zip(lay.lots, rates, strict=True)]
        + [np.full(lay.n, rate) for rate in rates]
    )
    columns = DriftColumns(
        u=np.arange(lay.u.start, lay.u.stop),
        cash=np.arange(lay.z.start, lay.z.stop),
        trades=np.arange(lay.u.start),
        cost_rate=cost_rate,
        start=wide.drift.start,
    )
    rows, drift = drift_rows(lines=lines, columns=columns, size=wide.size, cap=cap)
    return replace(problem, layout=wide, qp=widened(problem.qp, rows=rows, drift=drift))


def drift_held(
    *,
    first: HouseholdAnswer,
    cap: float,
    propose: Callable[[float], HouseholdAnswer | None],
    nothing: Callable[[str], HouseholdAnswer],
    cash_need: bool,
) -> tuple[HouseholdAnswer, str | None]:
    """The household's answer with its drift held at most `cap` (module docstring), and
    the rule that forced it above (None where none did). `propose(aim)` solves under the
    rows at `aim`: None where the answer misses the tracking-error limit."""
    aim = cap
    last = first
    for attempt in range(DRIFT_TRIES):
        try:
            held = propose(aim)
        except OptimizerError:
            held = None
        if held is None and attempt == 0:
            return first, CASH_NEED if cash_need else LIMIT_RULE
        if held is None:
            break
        last = held
        if not above_cap(held.summary.drift_after, cap=cap):
            return held, None
        over = float(held.summary.drift_after) - float(ratio(cap + DRIFT_ROUNDING))
        if aim <= 0:
            break
        aim = max(aim - over - DRIFT_STEP, 0.0)
    if cash_need:
        return last, CASH_NEED
    found = last.summary.drift_after
    return nothing(no_drift_reason(cap=cap, found=found, whose="the household's ")), None


def forcing_rule(answer: HouseholdAnswer, *, held_by: str | None, cash_need: bool) -> str | None:
    """The rule that forced the household's drift up: the one found holding it, else its
    cash need where drift rises while one is met (within the cap), else None."""
    if held_by is not None:
        return held_by
    summary = answer.summary
    if cash_need and summary.drift_after > summary.drift_before:
        return CASH_NEED
    return None


def with_forced_flag(answer: HouseholdAnswer) -> HouseholdAnswer:
    """`answer` with the household's summary flagged `drift_forced`."""
    summary = answer.summary
    if FORCED_FLAG in summary.flags:
        return answer
    return replace(answer, summary=replace(summary, flags=(*summary.flags, FORCED_FLAG)))


def forced_results(
    results: Sequence[OptimizeResult],
    *,
    rule: str,
    preps: Sequence[Prepared],
    limit_pct: Decimal | None,
    cap: float,
) -> tuple[OptimizeResult, ...]:
    """Every account's result flagged as forced by `rule`: the cash need of each account
    that has one, named with the account, or the household's tracking-error limit."""
    if rule == CASH_NEED:
        details = [
            f"account {p.case.account_id}: {cash_need_detail(p.case)}"
            for p in preps
            if p.cash_required > p.cash0
        ]
    else:
        details = [limit_detail(limit_pct=limit_pct, cap=cap)]
    out = []
    for result in results:
        for detail in details:
            result = drift_forced(result, rule=rule, detail=detail)
        out.append(result)
    return tuple(out)
