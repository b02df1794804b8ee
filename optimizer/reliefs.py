"""The problem's bounds with one rule lifted, to price what each rule costs."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np

from optimizer.explain import RuleRelief
from optimizer.prepare import Prepared
from optimizer.problem import Problem
from optimizer.rules import long_term_dates, screen_matches
from optimizer.solvers import INF, Bounds
from optimizer.types import Screen


def rule_reliefs(
    *, problem: Problem, base: Bounds, final: Bounds, most: int | None = None
) -> list[RuleRelief]:
    """One relief per restriction, screen, substitution, gain cap and the wash-sale rule
    that could bind; with `most`, the first `most` of them only, the rest not made (an
    account restricted in a hundred securities prices a dozen rules, and copying the
    bounds for every one of them cost more than its solves)."""
    return list(itertools.islice(_reliefs(problem=problem, base=base, final=final), most))


def _reliefs(*, problem: Problem, base: Bounds, final: Bounds) -> Iterator[RuleRelief]:
    """`rule_reliefs`, made one at a time in their order."""
    prep = problem.prep
    room = max(0.0, prep.cash0 + float(prep.lot_value.sum()) - prep.cash_required) + 1e-6
    for symbol, kind in sorted(prep.restricted.items()):
        i = prep.symbols.index(symbol)
        bounds = _copy(final)
        if kind in ("do_not_buy", "hold") and prep.buy_block[i] == kind:
            bounds.x_u[problem.layout.b][i] = room
        if kind in ("do_not_sell", "hold"):
            _free_lots(problem=problem, bounds=bounds, securities=[i], reason=kind)
        if _differs(a=bounds, b=final):
            yield RuleRelief(rule="restriction", detail=f"{kind} {symbol}", bounds=bounds)
    for screen in prep.case.preferences.screens:
        yield from _screen_relief(problem=problem, final=final, screen=screen, room=room)
    for sub in prep.case.preferences.substitutions:
        i = prep.symbols.index(sub.from_symbol)
        if prep.buy_block[i] == "substitution":
            bounds = _copy(final)
            bounds.x_u[problem.layout.b][i] = room
            yield RuleRelief(
                rule="substitution",
                detail=f"{sub.from_symbol} -> {sub.to_symbol}",
                bounds=bounds,
            )
    yield from _cap_reliefs(problem=problem, final=final)
    yield from _long_term_wait_reliefs(problem=problem, final=final)
    wash = _wash_relief(problem=problem, base=base, room=room)
    if wash is not None:
        yield wash


def _copy(bounds: Bounds) -> Bounds:
    return Bounds(
        h_l=bounds.h_l.copy(), h_u=bounds.h_u.copy(), x_l=bounds.x_l.copy(), x_u=bounds.x_u.copy()
    )


def _differs(*, a: Bounds, b: Bounds) -> bool:
    return not (np.array_equal(a.x_u, b.x_u) and np.array_equal(a.h_u, b.h_u))


def _free_lots(*, problem: Problem, bounds: Bounds, securities: list[int], reason: str) -> None:
    prep = problem.prep
    lots = np.isin(prep.lot_security, securities) & (np.array(prep.lot_block) == reason)
    bounds.x_u[problem.layout.s][lots] = prep.lot_value[lots]


def _screen_relief(
    *, problem: Problem, final: Bounds, screen: Screen, room: float
) -> list[RuleRelief]:
    prep: Prepared = problem.prep
    matched = screen_matches(case=prep.case, screen=screen)
    bounds = _copy(final)
    for symbol in matched:
        i = prep.symbols.index(symbol)
        if prep.buy_block[i] == "screen":
            bounds.x_u[problem.layout.b][i] = room
    if not _differs(a=bounds, b=final):
        return []
    return [RuleRelief(rule="screen", detail=f"{screen.field} = {screen.value}", bounds=bounds)]


def _cap_reliefs(*, problem: Problem, final: Bounds) -> list[RuleRelief]:
    out = []
    lay, prep = problem.layout, problem.prep
    for var, name, cap in (
        (lay.gain, "max_realized_gain", prep.max_gain),
        (lay.short_gain, "max_short_term_gain", prep.max_short_gain),
    ):
        if cap is None:
            continue
        bounds = _copy(final)
        bounds.x_u[var] = INF
        out.append(
            RuleRelief(rule="gain_cap", detail=f"{name} {cap * prep.value:.2f}", bounds=bounds)
        )
    return out


def _long_term_wait_reliefs(*, problem: Problem, final: Bounds) -> list[RuleRelief]:
    """One relief per date on which waiting lots turn long-term: those lots sellable."""
    prep = problem.prep
    waiting = np.array(prep.lot_block, dtype=object) == "long_term_wait"
    if not waiting.any():
        return []
    dates = long_term_dates(acquired=prep.case.lots.acquired)
    out = []
    for day in np.unique(dates[waiting]):
        lots = waiting & (dates == day)
        bounds = _copy(final)
        bounds.x_u[problem.layout.s][lots] = prep.lot_value[lots]
        out.append(
            RuleRelief(
                rule="long_term_wait",
                detail=f"waiting for long-term on {day}",
                bounds=bounds,
            )
        )
    return out


def _wash_relief(*, problem: Problem, base: Bounds, room: float) -> RuleRelief | None:
    """No directions, and the buys and loss sales that recent trades block, allowed."""
    prep = problem.prep
    bounds = _copy(base)
    blocked_buys = np.array([block == "wash_sale" for block in prep.buy_block], dtype=bool)
    bounds.x_u[problem.layout.b][blocked_buys] = room
    _free_lots(
        problem=problem,
        bounds=bounds,
        securities=list(range(prep.n_securities)),
        reason="wash_sale",
    )
    if problem.layout.n_wash == 0 and not _differs(a=bounds, b=base):
        return None
    return RuleRelief(rule="wash_sale", detail="no wash sales", bounds=bounds)
