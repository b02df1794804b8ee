"""A fund account's effective drift held where it starts, unless its cash need forces it up.

Effective drift (`drift.py`) is the measure of an account whose target holds funds only
(`drift.drift_is_measure`); a direct index's measure is tracking error. A fund account's
proposal never leaves it further from its effective target than it starts, except by what
its cash need forces: the need n (cash below the minimum plus the withdrawal, a fraction of
the account) raises drift by at most n, which is what selling it from lines at or below
their target does. So the ceiling on drift after trading is

    cap = drift before + n.

Where the first answer goes above it (the risk model and the tax it saves may prefer a
trade that lowers tracking error but widens the lines' gaps), the account is solved again,
its wash-sale directions chosen again, under

    sum_L |g_L| + |g_cash| <= 2 cap,   g_L = sum_{i in L} u_i - (1 - share) t_L,
                                       g_cash = z + (1 - share) sum_L t_L,

u the problem's active weights, z its active cash, t_L the line's effective target and
share the part of the account left invested after the withdrawal (the withdrawal is still
in cash when drift is measured). The absolute values are an epigraph: a variable e >= 0 per
line and one for cash, two rows e - g >= 0 and e + g >= 0 each, and one row
sum e - c (sum s + sum b) <= 2 cap (the trades' cost c comes out of cash, and is allowed),
a few dozen entries for a dozen lines (up to `MOST_LINES` lines held or targeted). Tax-swap
partners of one equivalence set are one line, so a swap moves no g. Whole shares move drift
a little: where the rounded answer ends above the cap by more than `DRIFT_ROUNDING`, the cap
is cut by the excess and the account solved once more (`drift_held.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import numpy as np
import scipy.sparse as sp

from money import ZERO
from optimizer.drift import drift_is_measure
from optimizer.errors import OptimizerError
from optimizer.forced import CASH_NEED, cash_need_detail, forced_by
from optimizer.limit_price import LIMIT_TOLERANCE, price_limit
from optimizer.objective import Solved
from optimizer.output import ratio
from optimizer.payoff import DRIFT_FORCED
from optimizer.prepare import Prepared
from optimizer.problem import Problem, priced_problem
from optimizer.relaxation import directed_bounds, solve_completely
from optimizer.solvers import INF, QP, Bounds, QPSession
from optimizer.types import OptimizeResult

DRIFT_ROUNDING = 0.001
"""How far (0.1 % of the account) whole shares and trading costs may carry a proposal's
effective drift above its cap: a tax swap of whole shares at another price leaves some cash,
and the costs of any trade come out of the lines or the cash, so an account on its target
could otherwise never trade."""
MOST_LINES = 20
"""The most lines held or in the target of an account whose drift the rows hold. A fund
model has a dozen at most; in an account of fifty funds, each its own line, the search for
the wash-sale directions under the rows is not yet proved close to its lower bound (answers
several bp off it), so its proposals are left to tracking error for now."""


def drift_cap(prep: Prepared) -> float | None:
    """The most effective drift (fraction) a proposal may leave unflagged: drift before
    plus the cash need; None where drift is not the account's measure, or where more than
    `MOST_LINES` of its lines are held or in its target."""
    if not drift_is_measure(case=prep.case):
        return None
    placed = (prep.holding > 0) | (prep.target_adjusted > 0)
    if line_count(symbols=prep.symbols, placed=placed, lines=prep.drift_basis[1]) > MOST_LINES:
        return None
    return prep.value_and_drift_before[1] + cash_need_share(prep)


def cash_need_share(prep: Prepared) -> float:
    """The cash the account must raise, a fraction of its value (0 without a need)."""
    return max(0.0, prep.cash_required - prep.cash0)


@dataclass(frozen=True)
class DriftLines:
    """Each security's line (row of `member`), the lines' constant parts of their gaps
    and of cash's: g_L = (member u)_L - constant_L, g_cash = (sum of the cash columns) +
    cash_constant."""

    member: sp.csr_matrix
    constant: np.ndarray
    cash_constant: float
    absent: float
    """Target weight of lines with no security in the case: their gap cannot move."""


def drift_lines_of(
    *,
    symbols: Sequence[str],
    target: Mapping[str, float],
    lines: Mapping[str, str],
    left: float,
    cash_is_active: bool = True,
) -> DriftLines:
    """The lines of `symbols` against `target` (fractions; `lines` as `drift.drift_lines`),
    `left` the part of the target left out by a withdrawal (1 - share). The cash column is
    the active cash weight (`problem.py`) where `cash_is_active`, else cash itself (a
    household's accounts' cash, `household_problem.py`)."""
    line_of = [lines.get(symbol, symbol) for symbol in symbols]
    names = sorted(set(line_of))
    row = {name: k for k, name in enumerate(names)}
    member = sp.csr_matrix(
        (np.ones(len(line_of)), ([row[name] for name in line_of], np.arange(len(line_of)))),
        shape=(len(names), len(line_of)),
    )
    weight = np.zeros(len(names))
    absent = 0.0
    for symbol, w in target.items():
        k = row.get(lines.get(symbol, symbol))
        if k is None:
            absent += float(w)
        else:
            weight[k] += float(w)
    total = float(weight.sum()) + absent
    cash_constant = left * total if cash_is_active else total - 1.0
    return DriftLines(
        member=member, constant=left * weight, cash_constant=cash_constant, absent=absent
    )


def line_count(*, symbols: Sequence[str], placed: np.ndarray, lines: Mapping[str, str]) -> int:
    """How many lines hold a security that is held or targeted (`placed`)."""
    return len({lines.get(s, s) for s, on in zip(symbols, placed, strict=True) if on})


@dataclass(frozen=True)
class DriftColumns:
    """Where the drift rows read the problem: its active weights `u` (one column per
    security), its cash columns (summed), its trades' columns with each one's cost rate,
    and the first of the k + 1 new |gap| columns."""

    u: np.ndarray
    cash: np.ndarray
    trades: np.ndarray
    cost_rate: np.ndarray
    start: int


def drift_rows(
    *, lines: DriftLines, columns: DriftColumns, size: int, cap: float
) -> tuple[sp.csc_matrix, Bounds]:
    """The rows of the module docstring over a problem of `size` variables (its |gap|
    columns included), and their bounds with those of the new columns."""
    k = lines.member.shape[0]
    extra = k + 1
    member = lines.member.tocoo()
    e_line = columns.start + np.arange(k)
    e_cash = columns.start + k
    cols_u = columns.u[member.col]
    n_cash = len(columns.cash)
    line_rows: np.ndarray = np.asarray(member.row)
    rows: np.ndarray = np.concatenate(
        [
            line_rows,
            np.arange(k),
            k + line_rows,
            k + np.arange(k),
            [2 * k, 2 * k + 1],
            np.full(n_cash, 2 * k),
            np.full(n_cash, 2 * k + 1),
            np.full(extra + len(columns.trades), 2 * k + 2),
        ]
    )
    pair = np.array([e_cash, e_cash])
    col_parts: list[np.ndarray] = [cols_u, e_line, cols_u, e_line, pair, columns.cash]
    col_parts += [columns.cash, columns.start + np.arange(extra), columns.trades]
    cols: np.ndarray = np.concatenate(col_parts)
    val_parts: list[np.ndarray] = [-np.ones(member.nnz), np.ones(k), np.ones(member.nnz)]
    val_parts += [np.ones(k), np.ones(2), -np.ones(n_cash), np.ones(n_cash), np.ones(extra)]
    vals: np.ndarray = np.concatenate([*val_parts, -columns.cost_rate])
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(2 * k + 3, size))
    low = np.concatenate(
        [-lines.constant, lines.constant, [lines.cash_constant, -lines.cash_constant, -INF]]
    )
    high = np.concatenate([np.full(2 * k + 2, INF), [2.0 * cap - lines.absent]])
    return matrix, Bounds(h_l=low, h_u=high, x_l=np.zeros(extra), x_u=np.full(extra, INF))


def widened(qp: QP, *, rows: sp.csc_matrix, drift: Bounds) -> QP:
    """`qp` with the drift rows' new columns (no cost of their own) and the rows."""
    extra = len(drift.x_l)

    def padded(matrix: sp.csc_matrix) -> sp.csc_matrix:
        return sp.csc_matrix(sp.hstack([matrix, sp.csc_matrix((matrix.shape[0], extra))]))

    return QP(
        P=padded_square(qp.P, extra),
        q=np.concatenate([qp.q, np.zeros(extra)]),
        A=padded(qp.A),
        b=qp.b,
        G=sp.vstack([padded(qp.G), rows], format="csc"),
        h_l=np.concatenate([qp.h_l, drift.h_l]),
        h_u=np.concatenate([qp.h_u, drift.h_u]),
        x_l=np.concatenate([qp.x_l, drift.x_l]),
        x_u=np.concatenate([qp.x_u, drift.x_u]),
    )


def padded_square(matrix: sp.csc_matrix, extra: int) -> sp.csc_matrix:
    """`matrix` with `extra` zero rows and columns."""
    return sp.csc_matrix(sp.block_diag([matrix, sp.csc_matrix((extra, extra))]))


def capped_problem(*, problem: Problem, cap: float) -> tuple[Problem, Bounds]:
    """`problem` (unpriced) with the drift rows of the module docstring, and the bounds
    that widen its own to the new variables and rows (use `capped_bounds` on others)."""
    prep, lay = problem.prep, problem.layout
    target, line_map = prep.drift_basis
    lines = drift_lines_of(
        symbols=prep.symbols, target=target, lines=line_map, left=1.0 - prep.invest_share
    )
    extra = lines.member.shape[0] + 1
    wide = replace(lay, n_drift=extra)
    trades = lay.m + lay.n
    columns = DriftColumns(
        u=lay.m + lay.n + np.arange(lay.n),
        cash=np.array([lay.cash]),
        trades=np.arange(trades),
        cost_rate=np.full(trades, prep.cost_rate),
        start=wide.drift.start,
    )
    rows, drift = drift_rows(lines=lines, columns=columns, size=wide.size, cap=cap)
    limit = problem.limit
    capped = replace(
        problem,
        layout=wide,
        qp=widened(problem.qp, rows=rows, drift=drift),
        P_true=padded_square(problem.P_true, extra),
        q_true=np.concatenate([problem.q_true, np.zeros(extra)]),
        limit=replace(
            limit,
            diag=np.concatenate([limit.diag, np.zeros(extra)]),
            linear=np.concatenate([limit.linear, np.zeros(extra)]),
        ),
    )
    return capped, drift


def capped_bounds(bounds: Bounds, *, drift: Bounds) -> Bounds:
    """`bounds` of the problem without the drift rows, extended by theirs (`drift`)."""
    return Bounds(
        h_l=np.concatenate([bounds.h_l, drift.h_l]),
        h_u=np.concatenate([bounds.h_u, drift.h_u]),
        x_l=np.concatenate([bounds.x_l, drift.x_l]),
        x_u=np.concatenate([bounds.x_u, drift.x_u]),
    )


def held_solve(*, solved: Solved, cap: float) -> Solved | None:
    """`solved` solved again with its drift at most `cap` (the module docstring): the
    wash-sale directions chosen again, with their lower bound, and where the answer is
    above the tracking-error limit, the limit's price found again for them; None where no
    answer keeps both (the limit, or a hard rule, forces drift above the cap)."""
    unpriced = priced_problem(problem=solved.problem, limit_weight=0.0)
    problem, drift = capped_problem(problem=unpriced, cap=cap)
    base = capped_bounds(solved.base, drift=drift)
    session = QPSession(qp=problem.qp)
    try:
        directed = solve_completely(problem=problem, session=session, bounds=base)
    except OptimizerError:
        return None
    x, lower = directed.solution.x, directed.lower_bound
    final = directed_bounds(problem=problem, bounds=base, directions=directed.directions)
    te = problem.tracking_error(x=x)
    top = solved.ceiling
    bound: dict[str, Any] = {
        "lower_bound": lower,
        "solved_bound": lower,
        "bound_ceiling": None,
        "free_bound": None,
        "bound_problem": None,
    }
    if top is not None and te > top + LIMIT_TOLERANCE:
        priced = price_limit(unpriced=problem, final=final, top=top, te=te)
        if priced.te > top + LIMIT_TOLERANCE:
            return None
        problem, session, x, te = priced.problem, priced.session, priced.x, priced.te
        # the priced problem's own bound, moved back by Lagrangian duality, over every
        # answer within the limit; the unpriced one holds without it
        searched = solve_completely(problem=problem, session=session, bounds=base)
        if problem.tracking_error(x=searched.solution.x) <= top + LIMIT_TOLERANCE:
            x, te = searched.solution.x, problem.tracking_error(x=searched.solution.x)
            final = directed_bounds(problem=problem, bounds=base, directions=searched.directions)
        real = problem.real_bound(bound=searched.lower_bound, ceiling=max(top, te))
        bound = {
            "lower_bound": max(real, lower),
            "solved_bound": searched.lower_bound,
            "bound_ceiling": max(top, te),
            "free_bound": lower,
            "bound_problem": problem,
        }
    return replace(
        solved,
        problem=problem,
        session=session,
        base=base,
        final=final,
        x=x,
        tracking_error=te,
        directed=None,
        unsteered=None,
        **bound,
    )


def drift_forced(result: OptimizeResult, *, rule: str, detail: str) -> OptimizeResult:
    """`result` flagged `drift_forced`, with `rule` in `binding_rules` as what forced its
    effective drift up (marked where it is named already), at the drift and the tracking
    error it costs: the proposal's rise in each."""
    summary = result.summary
    if summary is None:
        return result
    rise = float(summary.drift_after - summary.drift_before)
    before, after = summary.tracking_error_before_pct, summary.tracking_error_after_pct
    tracking = max(after - before, ZERO) if before is not None and after is not None else ZERO
    cost = forced_by(rule=rule, detail=detail, tracking_error=tracking, drift=rise)
    named = [r for r in summary.binding_rules if (r.rule, r.detail) == (rule, detail)]
    rules = tuple(
        replace(r, forced_drift=True, drift_cost=cost.drift_cost) if r in named else r
        for r in summary.binding_rules
    ) + (() if named else (cost,))
    flags = summary.flags if DRIFT_FORCED in summary.flags else (*summary.flags, DRIFT_FORCED)
    return replace(result, summary=replace(summary, binding_rules=rules, flags=flags))


def cash_forced(result: OptimizeResult, *, prep: Prepared) -> OptimizeResult:
    """A fund account's proposal that raises its effective drift while meeting a cash need
    (within `drift_cap`), flagged as forced by it; any other result as it is."""
    summary = result.summary
    if (
        summary is None
        or summary.drift_after <= summary.drift_before
        or DRIFT_FORCED in summary.flags
        or cash_need_share(prep) <= 0
        or not drift_is_measure(case=prep.case)
    ):
        return result
    return drift_forced(result, rule=CASH_NEED, detail=cash_need_detail(prep.case))


def raises_drift(result: OptimizeResult, *, cap: float) -> bool:
    """Whether the result's effective drift, as reported, ends above `cap` by more than
    `DRIFT_ROUNDING`."""
    summary = result.summary
    return summary is not None and above_cap(summary.drift_after, cap=cap)


def above_cap(drift_after: Decimal, *, cap: float) -> bool:
    """Whether a reported effective drift is above `cap` by more than `DRIFT_ROUNDING`."""
    return drift_after > ratio(cap + DRIFT_ROUNDING)


__all__ = [
    "DRIFT_ROUNDING",
    "above_cap",
    "cash_forced",
    "cash_need_share",
    "drift_cap",
    "drift_forced",
    "held_solve",
    "raises_drift",
]
