"""Which of its accounts' hard rules held a managed household's tracking error above its
limit, and what each costs in tracking error.

A household whose answer ends above its limit after the limit's re-solves is flagged
`drift_forced` (`household_plan.summarized`). Each account's rule that binds the answer
in the direction that would lower tracking error is lifted in turn, in the household's
final problem (the limit's last weight), and the problem solved again with its wash-sale
sides coordinated as the night's was (`household_solve.solve_coordinated`; the lifts differ
only in bounds, so one solver set-up serves them all):

- a purchase blocked (a `do_not_buy` or `hold` restriction, a screen, a substitution) of a
  security the household holds less of than its target;
- a sale blocked (a `do_not_sell` or `hold` restriction) of one it holds more of;
- the wash-sale windows of the account (its blocked purchases and loss sales together);
- a gain cap the answer spends to the cap; the account's cash need.

A rule whose lifting lowers the household's tracking error by more than `_LOWER_BY` forced
it, by that much: each account's proposal names it in `binding_rules` (`forced_drift`,
its `tracking_error_cost_pct`; the household's figure, not the account's own). At most
`MOST_LIFTS` rules are tried per household, account by account, each account's
restrictions, screens and substitutions first: a forced household costs that many more
solves of its final problem.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from optimizer.errors import OptimizerError
from optimizer.forced import CASH_NEED, cash_need_detail, forced_by
from optimizer.household_problem import HouseholdProblem
from optimizer.household_solve import HouseholdSolved, solve_coordinated
from optimizer.objective import pct
from optimizer.solvers import INF, Bounds, QPSession
from optimizer.types import Case, OptimizeResult, RuleCost

MOST_LIFTS = 6
_LOWER_BY = 0.00005
"""0.005 %/yr: a lift that lowers tracking error by less did not force it (as
`forced.py` judges one account)."""
_BINDS = 1e-9
_BLOCKED_BUYS = ("do_not_buy", "hold", "screen", "substitution")
_BLOCKED_SALES = ("do_not_sell", "hold")


@dataclass(frozen=True)
class _Lift:
    rule: str
    detail: str
    bounds: Bounds


def household_forcing_rules(
    *, solved: HouseholdSolved, tracking_error: Callable[[np.ndarray], float]
) -> tuple[RuleCost, ...]:
    """The rules that forced the household's tracking error above its limit (module
    docstring); `tracking_error(u)` measures an answer's, as the night's solve did."""
    problem = solved.problem
    session = QPSession(qp=problem.qp)
    out = []
    for lift in itertools.islice(_lifts(problem=problem, x=solved.x), MOST_LIFTS):
        try:
            x, _ = solve_coordinated(problem, session=session, bounds=lift.bounds)
        except OptimizerError:
            continue
        lower = solved.tracking_error - tracking_error(x[problem.layout.u])
        if lower > _LOWER_BY:
            out.append(forced_by(rule=lift.rule, detail=lift.detail, tracking_error=pct(lower)))
    return tuple(out)


def named(
    results: Sequence[OptimizeResult], rules: Sequence[RuleCost]
) -> tuple[OptimizeResult, ...]:
    """Each account's result with `rules` in its `binding_rules` (an entry of the same rule
    and detail already there is replaced by the forcing one)."""
    if not rules:
        return tuple(results)
    forcing = {(r.rule, r.detail) for r in rules}
    out = []
    for result in results:
        summary = result.summary
        if summary is None:
            out.append(result)
            continue
        kept = tuple(r for r in summary.binding_rules if (r.rule, r.detail) not in forcing)
        out.append(replace(result, summary=replace(summary, binding_rules=kept + tuple(rules))))
    return tuple(out)


def _lifts(*, problem: HouseholdProblem, x: np.ndarray) -> Iterator[_Lift]:
    """The rules that bind the answer `x` the way that would lower tracking error, one
    lift each, account by account: its restrictions, screens and substitutions first, then
    its wash-sale windows, gain caps and cash need."""
    lay, qp = problem.layout, problem.qp

    def lift(
        rule: str, detail: str, *, x_l: np.ndarray | None = None, x_u: np.ndarray | None = None
    ) -> _Lift:
        """The final problem's bounds with `x_l` or `x_u` in place of its own (copied:
        choosing wash-sale sides closes upper bounds in place)."""
        lower = qp.x_l if x_l is None else x_l
        upper = (qp.x_u if x_u is None else x_u).copy()
        return _Lift(rule, detail, Bounds(h_l=qp.h_l, h_u=qp.h_u, x_l=lower, x_u=upper))

    active = x[lay.u]
    for a, prep in enumerate(problem.accounts):
        who = f"account {prep.case.account_id}"
        buys, sales = qp.x_u[lay.b(a)], qp.x_u[lay.s(a)]
        lot_ub = prep.lot_value * problem.scale[a]
        # as much as the account could buy with all its cash and every lot sold
        room = max(prep.cash0 * problem.scale[a] + float(lot_ub.sum()), _BINDS)
        lot_block = np.array(prep.lot_block, dtype=object)
        for i, symbol in enumerate(prep.symbols):
            block = prep.buy_block[i]
            if block in _BLOCKED_BUYS and active[i] < -_BINDS and buys[i] <= 0:
                x_u = qp.x_u.copy()
                x_u[lay.b(a).start + i] = room
                yield lift(*_named(block, symbol, prep.case), x_u=x_u)
            held = (prep.lot_security == i) & np.isin(lot_block, _BLOCKED_SALES)
            if held.any() and active[i] > _BINDS:
                x_u = qp.x_u.copy()
                x_u[lay.s(a).start + np.flatnonzero(held)] = lot_ub[held]
                kind = str(lot_block[held][0])
                yield lift("restriction", f"{who}: {kind} {symbol}", x_u=x_u)
        wash_buys = np.array([b == "wash_sale" for b in prep.buy_block], dtype=bool)
        wash_lots = lot_block == "wash_sale"
        if (wash_buys & (buys <= 0)).any() or (wash_lots & (sales <= 0)).any():
            x_u = qp.x_u.copy()
            x_u[lay.b(a).start + np.flatnonzero(wash_buys)] = room
            x_u[lay.s(a).start + np.flatnonzero(wash_lots)] = lot_ub[wash_lots]
            yield lift("wash_sale", f"{who}: 30-day windows", x_u=x_u)
        for var, name in (
            (lay.gain.start + a, "max_realized_gain"),
            (lay.short_gain.start + a, "max_short_term_gain"),
        ):
            cap = qp.x_u[var]
            if np.isfinite(cap) and x[var] >= cap - _BINDS:
                x_u = qp.x_u.copy()
                x_u[var] = INF
                dollars = cap / problem.scale[a] * prep.value
                yield lift("gain_cap", f"{who}: {name} {dollars:.2f}", x_u=x_u)
        cash = lay.z.start + a
        if qp.x_l[cash] > 0 and x[cash] <= qp.x_l[cash] + _BINDS:
            x_l = qp.x_l.copy()
            x_l[cash] = 0.0
            yield lift(CASH_NEED, f"{who}: {cash_need_detail(prep.case)}", x_l=x_l)


def _named(block: str, symbol: str, case: Case) -> tuple[str, str]:
    """(rule, detail) of a blocked purchase, as one account's `binding_rules` names it."""
    who = f"account {case.account_id}"
    if block == "screen":
        return "screen", f"{who}: {symbol} screened"
    if block == "substitution":
        to = next(
            (s.to_symbol for s in case.preferences.substitutions if s.from_symbol == symbol), ""
        )
        return "substitution", f"{who}: {symbol} -> {to}"
    return "restriction", f"{who}: {block} {symbol}"
