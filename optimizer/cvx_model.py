"""The same QP as `problem.py`, written as a cvxpy model (vectorized expressions).

Used as the readable reference the tests compare the sparse assembly with, and as the
"naive" build-and-solve the benchmark measures. The impact term is written so the
relaxation's perspective penalty is plain DCP: for each group g needing a direction, with
m_g sellable lots and n_g buyable securities,

    kappa sum_{j in g} s_j^2 = kappa sum_{j in g} (s_j - S_g / m_g)^2 + (kappa / m_g) S_g^2,

and the pair (kappa / m_g) S_g^2 + (kappa / n_g) B_g^2 is replaced by its perspective over
"sell or buy", (sqrt(kappa / m_g) S_g + sqrt(kappa / n_g) B_g)^2, which equals it whenever
one side is zero.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from optimizer.prepare import IMPACT_WEIGHT, MIN_COST_RATE
from optimizer.problem import Problem
from optimizer.relaxation import BUY, SELL


def cvx_problem(
    *, problem: Problem, directions: np.ndarray | None
) -> tuple[cp.Problem, cp.Variable, cp.Variable]:
    """(model, s, b). `directions` None: the relaxation; else each group's side fixed."""
    prep, lay = problem.prep, problem.layout
    s = cp.Variable(lay.m, nonneg=True)
    b = cp.Variable(lay.n, nonneg=True)
    agg = sp.csr_matrix(
        (np.ones(lay.m), (prep.lot_security, np.arange(lay.m))), shape=(lay.n, lay.m)
    )
    classes = sp.csr_matrix(
        (np.ones(lay.n), (prep.security_class, np.arange(lay.n))), shape=(prep.n_classes, lay.n)
    )
    c = prep.cost_rate
    active = prep.holding + b - agg @ s - prep.target_adjusted
    cash_gap = prep.cash0 + (1 - c) * cp.sum(s) - (1 + c) * cp.sum(b) - prep.target_cash
    tracking = cp.sum(cp.multiply(prep.idio_weight, cp.square(active)))
    if prep.factor_loadings.shape[1]:
        scaled = np.sqrt(prep.factor_weight)[:, None] * prep.factor_loadings.T
        tracking += cp.sum_squares(scaled @ active)
    c_obj = max(c, MIN_COST_RATE)
    objective = (
        tracking
        + prep.lot_objective_tax @ s
        + c_obj * (cp.sum(s) + cp.sum(b))
        + _impact(problem=problem, s=s, b=b)
    )
    constraints = [
        s <= problem.lot_ub,
        b <= problem.buy_ub,
        cash_gap >= problem.qp.x_l[lay.cash],
    ]
    x_l, x_u = problem.qp.x_l, problem.qp.x_u
    if prep.class_limit is not None:
        constraints += [classes @ active >= x_l[lay.classes], classes @ active <= x_u[lay.classes]]
    if lay.n_sectors:
        known = np.flatnonzero(prep.security_sector >= 0)
        sectors = sp.csr_matrix(
            (np.ones(len(known)), (prep.security_sector[known], known)),
            shape=(lay.n_sectors, lay.n),
        )
        constraints += [sectors @ active >= x_l[lay.sectors], sectors @ active <= x_u[lay.sectors]]
    if prep.max_gain is not None:
        constraints.append(prep.lot_gain_ratio @ s <= prep.max_gain)
    if prep.max_short_gain is not None:
        constraints.append((prep.lot_gain_ratio * prep.lot_is_short) @ s <= prep.max_short_gain)
    member_s, member_b = _membership(problem=problem)
    if lay.n_wash and directions is not None:
        constraints += [
            member_b[directions == SELL] @ b == 0,
            member_s[directions == BUY] @ s == 0,
        ]
    return cp.Problem(cp.Minimize(objective), constraints), s, b


def _membership(*, problem: Problem) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    prep, lay = problem.prep, problem.layout
    row_of = np.full(len(prep.group_names), -1)
    row_of[prep.wash_groups] = np.arange(lay.n_wash)
    lot_row = row_of[prep.security_group[prep.lot_security]] if lay.m else np.zeros(0, int)
    buy_row = row_of[prep.security_group]
    lots = np.flatnonzero((lot_row >= 0) & (problem.lot_ub > 0))
    buys = np.flatnonzero((buy_row >= 0) & (problem.buy_ub > 0))
    member_s = sp.csr_matrix((np.ones(len(lots)), (lot_row[lots], lots)), shape=(lay.n_wash, lay.m))
    member_b = sp.csr_matrix((np.ones(len(buys)), (buy_row[buys], buys)), shape=(lay.n_wash, lay.n))
    return member_s, member_b


def _impact(*, problem: Problem, s: cp.Variable, b: cp.Variable) -> cp.Expression:
    """kappa (|s|^2 + |b|^2), with each wash group's mean part in perspective form."""
    lay = problem.layout
    if lay.n_wash == 0:
        plain: cp.Expression = IMPACT_WEIGHT * (cp.sum_squares(s) + cp.sum_squares(b))
        return plain
    member_s, member_b = _membership(problem=problem)
    m_g = np.maximum(np.asarray(member_s.sum(axis=1)).ravel(), 1.0)
    n_g = np.maximum(np.asarray(member_b.sum(axis=1)).ravel(), 1.0)
    mean_s = sp.diags(1.0 / m_g) @ member_s
    mean_b = sp.diags(1.0 / n_g) @ member_b
    s_dev = s - member_s.T @ (mean_s @ s)
    b_dev = b - member_b.T @ (mean_b @ b)
    pair = cp.multiply(np.sqrt(IMPACT_WEIGHT / m_g), member_s @ s) + cp.multiply(
        np.sqrt(IMPACT_WEIGHT / n_g), member_b @ b
    )
    impact: cp.Expression = IMPACT_WEIGHT * (
        cp.sum_squares(s_dev) + cp.sum_squares(b_dev)
    ) + cp.sum_squares(pair)
    return impact
