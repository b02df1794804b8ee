"""The rebalancing QP of one account, assembled as sparse matrices.

Variables (money as a fraction of the account value V):

    s_j  >= 0   sale of lot j                      (m)
    b_i  >= 0   purchase of security i             (n)
    u_i         active weight  h_i + b_i - (As)_i - t_i    (n, A sums lots per security)
    y_k         active weight of asset class k     (K)
    f_l         active exposure to risk factor l   (F, only with a factor model)
    z           active cash weight                 (1)

Objective, the sum of

    tracking   lambda_class * (sum_k y_k^2 + z^2) + sum_i delta_i u_i^2 + sum_l phi_l f_l^2
               (classes weigh heavily, one security's own deviation lightly; with a factor
               model, delta and phi are its idiosyncratic and factor variances times the risk
               aversion);
    tax        sum_j tau_j s_j,  tau_j = rate_j * gain_j / value_j (negative for a loss; zero
               outside taxable accounts; floored at zero when losses are not harvested, so no
               sale is made for its loss alone);
    cost       c (sum s + sum b), c = max(cost_bps, 2 bp) / 1e4: the floor stops churn;
    impact     kappa (sum s_j^2 + sum b_i^2), a small market-impact term whose curvature the
               wash-sale relaxation borrows (see `relaxation.py`).

Constraints: the definitions above as equalities; cash after costs
cash0 + (1 - c) sum s - (1 + c) sum b >= cash_min + withdrawal; net realized gain
sum g_j s_j <= cap and net short-term gain <= cap (g_j = gain per dollar sold); the
relaxation's hull rows; per-security sale totals (for the minimum trade); bounds from
holdings, restrictions, screens, substitutions and the wash-sale rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from optimizer.prepare import CLASS_WEIGHT, IMPACT_WEIGHT, MIN_COST_RATE, Prepared
from optimizer.solvers import INF, QP, Bounds

CASH_MARGIN_USD = 0.05


@dataclass(frozen=True)
class Layout:
    """Where each block of variables and inequality rows sits."""

    m: int
    n: int
    n_classes: int
    n_factors: int
    n_wash: int

    @property
    def s(self) -> slice:
        return slice(0, self.m)

    @property
    def b(self) -> slice:
        return slice(self.m, self.m + self.n)

    @property
    def u(self) -> slice:
        return slice(self.m + self.n, self.m + 2 * self.n)

    @property
    def size(self) -> int:
        return self.m + 2 * self.n + self.n_classes + self.n_factors + 1

    ROW_CASH = 0
    ROW_GAIN = 1
    ROW_SHORT_GAIN = 2

    @property
    def hull(self) -> slice:
        return slice(3, 3 + self.n_wash)

    @property
    def sale_total(self) -> slice:
        return slice(3 + self.n_wash, 3 + self.n_wash + self.n)


@dataclass(frozen=True)
class Problem:
    prep: Prepared
    layout: Layout
    qp: QP
    P_true: sp.csc_matrix
    lot_ub: np.ndarray
    buy_ub: np.ndarray

    def objective(self, *, x: np.ndarray) -> float:
        """The true objective (without the relaxation's penalty), fraction of V."""
        return float(0.5 * x @ (self.P_true @ x) + self.qp.q @ x)

    def tracking(self, *, x: np.ndarray) -> float:
        """The tracking part of the objective alone."""
        lay = self.layout
        tail = slice(lay.m + lay.n, lay.size)
        diag = self.P_true.diagonal()[tail]
        return float(0.5 * np.sum(diag * x[tail] ** 2))

    def tax(self, *, x: np.ndarray) -> float:
        return float(self.prep.lot_objective_tax @ x[self.layout.s])


def build_problem(*, prep: Prepared) -> Problem:
    """Assemble the QP once; re-solves change only bounds (see `base_bounds`)."""
    m, n = prep.n_lots, prep.n_securities
    n_factors = prep.factor_loadings.shape[1]
    lay = Layout(
        m=m, n=n, n_classes=prep.n_classes, n_factors=n_factors, n_wash=len(prep.wash_groups)
    )
    agg = sp.csc_matrix((np.ones(m), (prep.lot_security, np.arange(m))), shape=(n, m))
    lot_ub = np.where(prep.lot_sellable, prep.lot_value, 0.0)
    buy_room = max(0.0, prep.cash0 + float(lot_ub.sum()) - prep.cash_required) + 1e-6
    buy_ub = np.where(prep.buy_ok, buy_room, 0.0)
    c_real = prep.cost_rate
    c_obj = max(c_real, MIN_COST_RATE)
    P_true = _objective_matrix(prep=prep, lay=lay)
    P = (P_true + _perspective_penalty(prep=prep, lay=lay, lot_ub=lot_ub, buy_ub=buy_ub)).tocsc()
    q = np.zeros(lay.size)
    q[lay.s] = prep.lot_objective_tax + c_obj
    q[lay.b] = c_obj
    A, b = _equalities(prep=prep, lay=lay, agg=agg)
    G = _inequalities(prep=prep, lay=lay, agg=agg, lot_ub=lot_ub, buy_ub=buy_ub)
    x_l = np.full(lay.size, -INF)
    x_u = np.full(lay.size, INF)
    x_l[: m + n] = 0.0
    x_u[lay.s] = lot_ub
    x_u[lay.b] = buy_ub
    h_l = np.full(G.shape[0], -INF)
    h_u = np.full(G.shape[0], INF)
    reachable = prep.cash0 + (1 - c_real) * float(lot_ub.sum())
    margin = min(CASH_MARGIN_USD / prep.value, max(0.0, 0.5 * (reachable - prep.cash_required)))
    h_l[Layout.ROW_CASH] = prep.cash_required - prep.cash0 + margin
    if prep.max_gain is not None:
        h_u[Layout.ROW_GAIN] = prep.max_gain
    if prep.max_short_gain is not None:
        h_u[Layout.ROW_SHORT_GAIN] = prep.max_short_gain
    qp = QP(P=P, q=q, A=A, b=b, G=G, h_l=h_l, h_u=h_u, x_l=x_l, x_u=x_u)
    return Problem(
        prep=prep, layout=lay, qp=qp, P_true=P_true.tocsc(), lot_ub=lot_ub, buy_ub=buy_ub
    )


def base_bounds(*, problem: Problem) -> Bounds:
    qp = problem.qp
    return Bounds(h_l=qp.h_l.copy(), h_u=qp.h_u.copy(), x_l=qp.x_l.copy(), x_u=qp.x_u.copy())


def _objective_matrix(*, prep: Prepared, lay: Layout) -> sp.csc_matrix:
    """2 x the quadratic weights: P = diag(2 kappa, 2 delta, 2 lambda, 2 phi, 2 lambda)."""
    diag = np.concatenate(
        [
            np.full(lay.m + lay.n, 2.0 * IMPACT_WEIGHT),
            2.0 * prep.idio_weight,
            np.full(lay.n_classes, 2.0 * CLASS_WEIGHT),
            2.0 * prep.factor_weight,
            [2.0 * CLASS_WEIGHT],
        ]
    )
    return sp.diags(diag, format="csc")


def _perspective_penalty(
    *, prep: Prepared, lay: Layout, lot_ub: np.ndarray, buy_ub: np.ndarray
) -> sp.csc_matrix:
    """Cross terms rho_g S_g B_g for every group g needing a direction (S_g: its sales,
    B_g: its purchases), rho_g = 2 sqrt(eps_s eps_b), eps_s = kappa / (sellable lots in g),
    eps_b = kappa / (buyable securities in g); zero whenever one side is zero."""
    if lay.n_wash == 0:
        return sp.csc_matrix((lay.size, lay.size))
    member_s, member_b = _wash_membership(prep=prep, lay=lay, lot_ub=lot_ub, buy_ub=buy_ub)
    n_lots = np.asarray(member_s.sum(axis=1)).ravel()
    n_buys = np.asarray(member_b.sum(axis=1)).ravel()
    rho = 2.0 * IMPACT_WEIGHT / np.sqrt(np.maximum(n_lots * n_buys, 1.0))
    cross = (member_s.T @ sp.diags(rho) @ member_b).tocsc()
    return (cross + cross.T).tocsc()


def _wash_membership(
    *, prep: Prepared, lay: Layout, lot_ub: np.ndarray, buy_ub: np.ndarray
) -> tuple[sp.csc_matrix, sp.csc_matrix]:
    """0/1 matrices (wash group x all variables): its sellable lots, its buyable securities."""
    row_of = np.full(len(prep.group_names), -1)
    row_of[prep.wash_groups] = np.arange(lay.n_wash)
    lot_row = row_of[prep.security_group[prep.lot_security]] if lay.m else np.zeros(0, int)
    buy_row = row_of[prep.security_group]
    lots = np.flatnonzero((lot_row >= 0) & (lot_ub > 0))
    buys = np.flatnonzero((buy_row >= 0) & (buy_ub > 0))
    shape = (lay.n_wash, lay.size)
    member_s = sp.csc_matrix((np.ones(len(lots)), (lot_row[lots], lots)), shape=shape)
    member_b = sp.csc_matrix((np.ones(len(buys)), (buy_row[buys], lay.m + buys)), shape=shape)
    return member_s, member_b


def _equalities(
    *, prep: Prepared, lay: Layout, agg: sp.csc_matrix
) -> tuple[sp.csc_matrix, np.ndarray]:
    """u - b + As = h - t;  y - C'u = 0;  f - B'u = 0;
    z - (1 - c) sum s + (1 + c) sum b = cash0 - t_cash."""
    n, c = lay.n, prep.cost_rate
    classes = sp.csc_matrix(
        (np.ones(n), (prep.security_class, np.arange(n))), shape=(lay.n_classes, n)
    )
    loadings = sp.csc_matrix(prep.factor_loadings.T)
    eye_n = sp.identity(n, format="csc")
    zero = sp.csc_matrix
    blocks = [
        [agg, -eye_n, eye_n, None, None, zero((n, 1))],
        [None, None, -classes, sp.identity(lay.n_classes), None, zero((lay.n_classes, 1))],
        [None, None, -loadings, None, sp.identity(lay.n_factors), zero((lay.n_factors, 1))],
        [
            zero(-(1 - c) * np.ones((1, lay.m))),
            zero((1 + c) * np.ones((1, n))),
            None,
            None,
            None,
            sp.identity(1),
        ],
    ]
    blocks = [
        row for row, size in zip(blocks, (n, lay.n_classes, lay.n_factors, 1), strict=True) if size
    ]
    if lay.n_factors == 0:
        blocks = [row[:4] + row[5:] for row in blocks]
    A = sp.bmat(blocks, format="csc")
    b = np.concatenate(
        [
            prep.holding - prep.target_adjusted,
            np.zeros(lay.n_classes + lay.n_factors),
            [prep.cash0 - prep.target_cash],
        ]
    )
    return A, b


def _inequalities(
    *, prep: Prepared, lay: Layout, agg: sp.csc_matrix, lot_ub: np.ndarray, buy_ub: np.ndarray
) -> sp.csc_matrix:
    """Rows: cash, net gain, net short-term gain, hull per wash group, sale total per security."""
    c = prep.cost_rate
    head = np.zeros((3, lay.m + lay.n))
    head[0, lay.s] = 1 - c
    head[0, lay.b] = -(1 + c)
    head[1, lay.s] = prep.lot_gain_ratio
    head[2, lay.s] = prep.lot_gain_ratio * prep.lot_is_short
    hull = _hull_rows(prep=prep, lay=lay, lot_ub=lot_ub, buy_ub=buy_ub)
    sale_rows = sp.hstack([agg, sp.csc_matrix((lay.n, lay.n))])
    left = sp.vstack([sp.csc_matrix(head), hull, sale_rows])
    right = sp.csc_matrix((left.shape[0], lay.size - lay.m - lay.n))
    return sp.hstack([left, right], format="csc")


def _hull_rows(
    *, prep: Prepared, lay: Layout, lot_ub: np.ndarray, buy_ub: np.ndarray
) -> sp.csc_matrix:
    """S_g / Smax_g + B_g / Bmax_g <= 1: the convex hull of "sell or buy, not both"."""
    member_s, member_b = _wash_membership(prep=prep, lay=lay, lot_ub=lot_ub, buy_ub=buy_ub)
    width = lay.m + lay.n
    ub = np.zeros(lay.size)
    ub[lay.s] = lot_ub
    ub[lay.b] = buy_ub
    sell_room = np.maximum(member_s @ ub, 1e-12)
    buy_room = np.maximum(member_b @ ub, 1e-12)
    hull = sp.diags(1.0 / sell_room) @ member_s + sp.diags(1.0 / buy_room) @ member_b
    return hull.tocsc()[:, :width]
