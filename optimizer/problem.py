"""The rebalancing QP of one account, assembled as sparse matrices.

Variables (money as a fraction of the account value V):

    s_j  >= 0   sale of lot j                      (m)
    b_i  >= 0   purchase of security i             (n)
    u_i         active weight  h_i + b_i - (As)_i - t_i    (n, A sums lots per security)
    y_k         active weight of asset class k     (K)
    f_l         whitened factor exposure (L'B'u)_l (F, F = L L' the factor covariance)
    v_r         active weight of GICS sector r     (R, only with a sector limit)
    z           active cash weight                 (1)

Objective (see `objective.py` for the units), the sum of

    tracking   p (sum_l f_l^2 + sum_i D_i u_i^2) = p u'(B F B' + D)u, p the price of a unit
               of tracking variance (risk aversion times `RISK_PRICE`); with no stored risk
               model, the built-in one (`risk.py`);
    tax        sum_j tau_j s_j,  tau_j = rate_j * gain_j / value_j (negative for a loss; zero
               outside taxable accounts; floored at zero when losses are not harvested, so no
               sale is made for its loss alone);
    cost       c (sum s + sum b), c = max(cost_bps, 2 bp) / 1e4: the floor stops churn;
    impact     kappa (sum s_j^2 + sum b_i^2), a small market-impact term.

The wash-sale rule's choice of a side per identical group is made in `relaxation.py`,
whose lower bound borrows the specific-risk term's curvature (`perspective.py`).

Constraints: the definitions above as equalities, and bounds only: asset-class and sector
active weights within their limits (widened to where the account starts and to where its
screens and substitutions put it, so a limit never makes an account infeasible); cash after costs
z + t_cash >= cash_min + withdrawal; net realized gain sum g_j s_j <= cap and net
short-term gain <= cap (g_j = gain per dollar sold) as bounds on their own variables;
trade bounds from holdings, restrictions, screens, substitutions, the wash-sale rule, the
chosen directions and the minimum trade. The one inequality row, with two entries, is
the tax budget's (`tax_budget.py`), so PIQP's KKT system stays as sparse as the objective
and the definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from optimizer.layout import Layout
from optimizer.prepare import IMPACT_WEIGHT, MIN_COST_RATE, Prepared
from optimizer.solvers import INF, QP, Bounds, diagonal_matrix, diagonal_of, quadratic
from optimizer.tax_budget import budget_rows

CASH_MARGIN_USD = 0.05


@dataclass(frozen=True)
class LimitTerm:
    """The squared tracking error against the published target, in the problem's
    variables:  TE^2 = sum_i diag_i x_i^2 + linear'x + constant  (diagonal on the active
    weights u and the whitened factor exposures f; see `limit_term`)."""

    diag: np.ndarray
    linear: np.ndarray
    constant: float

    def variance(self, x: np.ndarray) -> float:
        return float(np.sum(self.diag * x * x) + self.linear @ x + self.constant)

    def tracking_error(self, x: np.ndarray) -> float:
        return float(np.sqrt(max(0.0, self.variance(x))))


@dataclass(frozen=True)
class Problem:
    """The QP the solvers see (`qp`) and the objective answers are scored on (`P_true`,
    `q_true`). They differ only while the tracking-error limit is priced in: then `qp`
    adds `limit_weight` times the squared tracking error (`limit`) to the objective."""

    prep: Prepared
    layout: Layout
    qp: QP
    P_true: sp.csc_matrix
    lot_ub: np.ndarray
    buy_ub: np.ndarray
    q_true: np.ndarray
    limit: LimitTerm
    limit_weight: float = 0.0

    def objective(self, *, x: np.ndarray) -> float:
        """The objective in the product's units, fraction of V (constants dropped); the
        limit's price is not part of it."""
        return quadratic(self.P_true, self._true_diagonal, self.q_true, x)

    def solved_objective(self, *, x: np.ndarray) -> float:
        """What the solvers minimize: the objective plus the limit's price (constants
        dropped). Lower bounds from `relaxation.py` bound this."""
        return self.qp.objective(x)

    @cached_property
    def _true_diagonal(self) -> np.ndarray | None:
        return diagonal_of(self.P_true)

    def real_bound(self, *, bound: float, ceiling: float) -> float:
        """A lower bound on `objective` over every answer with tracking error at most
        `ceiling`, from a lower bound on `solved_objective` (Lagrangian duality: the
        limit's price times (TE^2 - ceiling^2) is at most zero there)."""
        return bound + self.limit_weight * (self.limit.constant - ceiling * ceiling)

    def tracking_error(self, *, x: np.ndarray) -> float:
        """Tracking error against the published target after the trades, fraction/yr."""
        return self.limit.tracking_error(x)

    def tracking(self, *, x: np.ndarray) -> float:
        """The tracking part of the objective alone."""
        lay = self.layout
        tail = slice(lay.m + lay.n, lay.cash + 1)
        diag = self.P_true.diagonal()[tail]
        return float(0.5 * np.sum(diag * x[tail] ** 2))

    def tax(self, *, x: np.ndarray) -> float:
        return float(self.prep.lot_objective_tax @ x[self.layout.s])


def build_problem(*, prep: Prepared, limit_weight: float = 0.0) -> Problem:
    """Assemble the QP once; re-solves change only bounds (see `base_bounds`).
    `limit_weight` prices the squared tracking error against the published target into the
    QP (the limit's Lagrange multiplier, fraction of V per unit of annual variance)."""
    m, n = prep.n_lots, prep.n_securities
    n_factors = prep.factor_loadings.shape[1]
    lay = Layout(
        m=m,
        n=n,
        n_classes=prep.n_classes,
        n_factors=n_factors,
        n_wash=len(prep.wash_groups),
        n_sectors=len(prep.sector_names) if prep.sector_limit is not None else 0,
    )
    lot_ub = np.where(prep.lot_sellable, prep.lot_value, 0.0)
    buy_room = max(0.0, prep.cash0 + float(lot_ub.sum()) - prep.cash_required) + 1e-6
    buy_ub = np.where(prep.buy_ok, buy_room, 0.0)
    c_real = prep.cost_rate
    c_obj = max(c_real, MIN_COST_RATE)
    P_true = _objective_matrix(prep=prep, lay=lay)
    q_true = np.zeros(lay.size)
    q_true[lay.s] = prep.lot_objective_tax + c_obj
    q_true[lay.b] = c_obj
    limit = limit_term(prep=prep, lay=lay)
    P, q = P_true, q_true
    if limit_weight > 0:
        P = _priced_matrix(P_true=P_true, limit=limit, limit_weight=limit_weight)
        q = q_true + limit_weight * limit.linear
    A, b = _equalities(prep=prep, lay=lay)
    G, h_l, h_u = budget_rows(prep=prep, lay=lay)
    x_l = np.full(lay.size, -INF)
    x_u = np.full(lay.size, INF)
    x_l[: m + n] = 0.0
    x_u[lay.s] = lot_ub
    x_u[lay.b] = buy_ub
    reachable = prep.cash0 + (1 - c_real) * float(lot_ub.sum())
    margin = 0.0
    if prep.cash0 < prep.cash_required - 1e-12:
        margin = min(CASH_MARGIN_USD / prep.value, max(0.0, 0.5 * (reachable - prep.cash_required)))
    x_l[lay.cash] = prep.cash_required - prep.target_cash + margin
    if prep.max_gain is not None:
        x_u[lay.gain] = prep.max_gain
    if prep.max_short_gain is not None:
        x_u[lay.short_gain] = prep.max_short_gain
    _limit_bounds(prep=prep, lay=lay, x_l=x_l, x_u=x_u)
    qp = QP(P=P, q=q, A=A, b=b, G=G, h_l=h_l, h_u=h_u, x_l=x_l, x_u=x_u)
    return Problem(
        prep=prep,
        layout=lay,
        qp=qp,
        P_true=P_true,
        lot_ub=lot_ub,
        buy_ub=buy_ub,
        q_true=q_true,
        limit=limit,
        limit_weight=limit_weight,
    )


def priced_problem(*, problem: Problem, limit_weight: float) -> Problem:
    """`build_problem(prep=problem.prep, limit_weight=limit_weight)` from the unpriced
    `problem`, without assembling its rows again: the price changes only P and q."""
    if limit_weight <= 0:
        return build_problem(prep=problem.prep)
    limit, qp = problem.limit, problem.qp
    P = _priced_matrix(P_true=problem.P_true, limit=limit, limit_weight=limit_weight)
    q = problem.q_true + limit_weight * limit.linear
    priced = QP(
        P=P,
        q=q,
        A=qp.A,
        b=qp.b,
        G=qp.G,
        h_l=qp.h_l.copy(),
        h_u=qp.h_u.copy(),
        x_l=qp.x_l.copy(),
        x_u=qp.x_u.copy(),
    )
    return replace(problem, qp=priced, limit_weight=limit_weight)


def _priced_matrix(
    *, P_true: sp.csc_matrix, limit: LimitTerm, limit_weight: float
) -> sp.csc_matrix:
    """P_true plus the limit's price on the squared tracking error: both are diagonal, so
    the sum is made on the diagonals (the same sums, and the same stored entries, as the
    sparse sum)."""
    return diagonal_matrix(P_true.diagonal() + 2.0 * limit_weight * limit.diag)


def limit_term(*, prep: Prepared, lay: Layout) -> LimitTerm:
    """TE^2 against the published target after the withdrawal, as a quadratic in the
    problem's variables. With shift = t_adjusted - t_model and share the part of the
    account left invested, the published active weights are (u + shift) / share, so

        share^2 TE^2 = |f + E'shift|^2 + sum_i D_i (u_i + shift_i)^2,

    E = B L the whitened exposures (f = E'u is a variable) and D the specific variances."""
    share2 = max(prep.invest_share, 1e-9) ** 2
    shift = prep.target_adjusted - prep.target_model
    specific = prep.risk.specific
    f_shift = prep.factor_loadings.T @ shift
    diag = np.zeros(lay.size)
    linear = np.zeros(lay.size)
    diag[lay.u] = specific / share2
    diag[lay.factors] = 1.0 / share2
    linear[lay.u] = 2.0 * specific * shift / share2
    linear[lay.factors] = 2.0 * f_shift / share2
    constant = float(f_shift @ f_shift + np.sum(specific * shift * shift)) / share2
    return LimitTerm(diag=diag, linear=linear, constant=constant)


def base_bounds(*, problem: Problem) -> Bounds:
    qp = problem.qp
    return Bounds(h_l=qp.h_l.copy(), h_u=qp.h_u.copy(), x_l=qp.x_l.copy(), x_u=qp.x_u.copy())


def limit_range(
    *, limit: float, before: np.ndarray, forced: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Allowed active weights (against the published target) of each class or sector:
    within +-limit, widened to where the account is now (never further out) and to where
    its screens and substitutions alone put it (`forced`)."""
    low = np.minimum(np.minimum(-limit, before), forced)
    high = np.maximum(np.maximum(limit, before), forced)
    return low, high


def _limit_bounds(*, prep: Prepared, lay: Layout, x_l: np.ndarray, x_u: np.ndarray) -> None:
    """Bounds on the class and sector variables from the account's limits. The variables
    measure active weight against the contract's target as a fraction of the account
    before trading; the limits are on active weight against the published target after
    the withdrawal, so each bound is shifted by the difference and scaled."""
    share = max(prep.invest_share, 1e-9)
    shift = prep.target_adjusted - prep.target_model
    now = prep.holding - prep.target_published
    if prep.class_limit is not None:
        forced = np.bincount(prep.security_class, weights=shift, minlength=lay.n_classes)
        before = np.bincount(prep.security_class, weights=now, minlength=lay.n_classes)
        low, high = limit_range(limit=prep.class_limit, before=before, forced=forced / share)
        x_l[lay.classes] = low * share - forced
        x_u[lay.classes] = high * share - forced
    if prep.sector_limit is not None and lay.n_sectors:
        known = prep.security_sector >= 0
        sector = prep.security_sector[known]
        forced = np.bincount(sector, weights=shift[known], minlength=lay.n_sectors)
        before = np.bincount(sector, weights=now[known], minlength=lay.n_sectors)
        low, high = limit_range(limit=prep.sector_limit, before=before, forced=forced / share)
        x_l[lay.sectors] = low * share - forced
        x_u[lay.sectors] = high * share - forced


def _objective_matrix(*, prep: Prepared, lay: Layout) -> sp.csc_matrix:
    """2 x the quadratic weights: 2 kappa on trades, 2 p D on active weights, 2 p on the
    whitened factor exposures; nothing on classes, sectors, cash and gains."""
    diag = np.concatenate(
        [
            np.full(lay.m + lay.n, 2.0 * IMPACT_WEIGHT),
            2.0 * prep.idio_weight,
            np.zeros(lay.n_classes),
            2.0 * prep.factor_weight,
            np.zeros(lay.n_sectors + 3),
        ]
    )
    return diagonal_matrix(diag)


def _equalities(*, prep: Prepared, lay: Layout) -> tuple[sp.csc_matrix, np.ndarray]:
    """u - b + As = h - t;  y - C'u = 0;  f - L'B'u = 0;  v - S'u = 0 (sectors);
    z - (1 - c) sum s + (1 + c) sum b = cash0 - t_cash;  gain - g's = 0;  short - g_st's = 0.

    The dense rows (cash, gains) live here as definitions of single variables whose bounds
    carry the constraints: PIQP keeps equalities out of the Hessian block, where a dense
    inequality row would fill it in. Assembled directly in compressed columns, each
    column's rows in ascending order: a sale's are its security's row, then the cash, gain
    and short-term gain rows; a purchase's its security's and the cash row; an active
    weight's its security's, its class's, each factor's and its sector's; each defined
    variable's its own row."""
    m, n, k, f, r = lay.m, lay.n, lay.n_classes, lay.n_factors, lay.n_sectors
    c = prep.cost_rate
    secs = np.arange(n)
    r_class, r_factor, r_sector, r_cash = n, n + k, n + k + f, n + k + f + r
    # one row of each block per column: its rows, its values, and which entries it has
    sales = np.empty((m, 4), dtype=np.int32)
    sales[:, 0] = prep.lot_security
    sales[:, 1:] = r_cash + np.arange(3)
    sale_values = np.empty((m, 4))
    sale_values[:, 0] = 1.0
    sale_values[:, 1] = -(1 - c)
    sale_values[:, 2] = -prep.lot_gain_ratio
    sale_values[:, 3] = -(prep.lot_gain_ratio * prep.lot_is_short)
    purchases = np.empty((n, 2), dtype=np.int32)
    purchases[:, 0] = secs
    purchases[:, 1] = r_cash
    purchase_values = np.empty((n, 2))
    purchase_values[:, 0] = -1.0
    purchase_values[:, 1] = 1 + c
    active = np.empty((n, f + 3), dtype=np.int32)
    active[:, 0] = secs
    active[:, 1] = r_class + prep.security_class
    active[:, 2:-1] = r_factor + np.arange(f)
    active[:, -1] = r_sector + prep.security_sector
    active_values = np.empty((n, f + 3))
    active_values[:, 0] = 1.0
    active_values[:, 1] = -1.0
    active_values[:, 2:-1] = -prep.factor_loadings
    active_values[:, -1] = -1.0
    present = np.ones((n, f + 3), dtype=bool)
    present[:, -1] = prep.security_sector >= 0 if r else False  # in a limited sector
    defined = np.concatenate(
        [
            r_class + np.arange(k),
            r_factor + np.arange(f),
            r_sector + np.arange(r),
            r_cash + np.arange(3),
        ]
    )
    counts = np.concatenate(
        [np.full(m, 4), np.full(n, 2), present.sum(axis=1), np.ones(len(defined), dtype=int)]
    )
    indptr = np.zeros(lay.size + 1, dtype=np.int32)
    np.cumsum(counts, out=indptr[1:])
    A = sp.csc_matrix(
        (
            np.concatenate(
                [
                    sale_values.ravel(),
                    purchase_values.ravel(),
                    active_values[present],
                    np.ones(len(defined)),
                ]
            ),
            np.concatenate(
                [sales.ravel(), purchases.ravel(), active[present], defined.astype(np.int32)]
            ),
            indptr,
        ),
        shape=(n + k + f + r + 3, lay.size),
    )
    b = np.concatenate(
        [
            prep.holding - prep.target_adjusted,
            np.zeros(k + f + r),
            [prep.cash0 - prep.target_cash, 0.0, 0.0],
        ]
    )
    return A, b
