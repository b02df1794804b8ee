"""The QP of one household, assembled as sparse matrices.

Money is a fraction of the household's value W (its managed accounts' holdings and cash,
plus the held-away holdings that count toward its allocation). For accounts a = 1..A over
one security universe (n securities):

    s_a   >= 0   sale of each lot of account a
    b_a   >= 0   purchase of each security in account a                (n each)
    u            the household's active weight  sum_a (h_a + b_a - A_a s_a) + h_away - t
    f            whitened factor exposure L'B'u
    z_a          account a's cash after trading and costs; its lower bound is the account's
                 own cash need (money never moves between accounts)
    g_a, e_a     account a's net realized gain and net short-term gain (bounded by its caps)

Objective, the sum of

    tracking   p (|f|^2 + sum_i D_i u_i^2)           the household's tracking variance priced
                                                     as in `objective.py`
    tax        sum_j tau_j s_j                       taxable accounts' lots only
    cost       c_a (sum s_a + sum b_a)               c_a = max(cost_bps, 2 bp)
    location   H sum_a (l_a'(b_a - A_a s_a) + k_a z_a)  l_a,i: yearly tax of holding a dollar
                                                     of security i's asset class in account
                                                     a, k_a of its cash (`location.py`), H
                                                     the horizon in years
    impact     kappa (|s|^2 + |b|^2)

Constraints: the definitions as equalities and bounds, as in `problem.py`, and for each
tax filer F with tonight's tax room (`preferences.tax.max_tax`: the annual or the
transition plan's budget left; the smallest of its accounts' where they differ) one row
at the filer's marginal Schedule D rates, as for one account (`tax_budget.py`), over the
filer's taxable accounts in the household (`household_tax.filers`):

    sum_{a in F} g_long g_a + (g_short - g_long) e_a <= max_tax_F / W

and for each gain cap that accounts C share (the household's cap), what is left of it:

    sum_{a in C} g_a <= max_realized_gain_C / W,   sum_{a in C} e_a <= max_short_term_gain_C / W
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from optimizer.household_tax import filers
from optimizer.household_types import SharedRows
from optimizer.prepare import IMPACT_WEIGHT, MIN_COST_RATE, Prepared
from optimizer.solvers import INF, QP, Bounds
from optimizer.tax_budget import budget_rates


@dataclass(frozen=True)
class HouseholdLayout:
    lots: tuple[int, ...]
    n: int
    n_factors: int
    n_drift: int = 0
    """Bounds on the household's drift lines' gaps (`household_drift.py`), after everything
    else; none unless the household's effective drift is held."""

    @property
    def n_accounts(self) -> int:
        return len(self.lots)

    @property
    def m(self) -> int:
        return int(sum(self.lots))

    def s(self, a: int) -> slice:
        start = sum(self.lots[:a])
        return slice(start, start + self.lots[a])

    def b(self, a: int) -> slice:
        start = self.m + a * self.n
        return slice(start, start + self.n)

    @property
    def all_b(self) -> slice:
        return slice(self.m, self.m + self.n_accounts * self.n)

    @property
    def u(self) -> slice:
        start = self.m + self.n_accounts * self.n
        return slice(start, start + self.n)

    @property
    def f(self) -> slice:
        start = self.u.stop
        return slice(start, start + self.n_factors)

    @property
    def z(self) -> slice:
        return slice(self.f.stop, self.f.stop + self.n_accounts)

    @property
    def gain(self) -> slice:
        return slice(self.z.stop, self.z.stop + self.n_accounts)

    @property
    def short_gain(self) -> slice:
        return slice(self.gain.stop, self.gain.stop + self.n_accounts)

    @property
    def drift(self) -> slice:
        """Each drift line's |gap|, then cash's (`household_drift.py`)."""
        return slice(self.short_gain.stop, self.short_gain.stop + self.n_drift)

    @property
    def size(self) -> int:
        return int(self.short_gain.stop) + self.n_drift


@dataclass(frozen=True)
class HouseholdProblem:
    accounts: tuple[Prepared, ...]
    scale: np.ndarray
    """Each account's value as a fraction of the household's."""
    layout: HouseholdLayout
    qp: QP
    location: np.ndarray
    """accounts x securities: yearly tax per dollar held (`location.py`)."""


def build_household_problem(
    *,
    accounts: tuple[Prepared, ...],
    household_value: float,
    away: np.ndarray,
    target: np.ndarray,
    location: np.ndarray,
    cash_location: np.ndarray,
    horizon: float,
    exposure: np.ndarray,
    specific: np.ndarray,
    risk_price: float,
    shared_caps: Sequence[SharedRows] = (),
) -> HouseholdProblem:
    """`away` and `target` are per security, fractions of the household value (the target
    already scaled to what is left after withdrawals); `exposure` (n x F) and `specific`
    are the risk model in the universe's order; `shared_caps` are (account indexes, net
    room, short-term room) in dollars, None where that cap is not shared."""
    n = len(target)
    lay = HouseholdLayout(lots=tuple(p.n_lots for p in accounts), n=n, n_factors=exposure.shape[1])
    scale = np.array([p.value / household_value for p in accounts])
    q = np.zeros(lay.size)
    x_l = np.full(lay.size, -INF)
    x_u = np.full(lay.size, INF)
    x_l[: lay.u.start] = 0.0
    holding = away.copy()
    for a, prep in enumerate(accounts):
        c_obj = max(prep.cost_rate, MIN_COST_RATE)
        lot_loc = location[a][prep.lot_security]
        q[lay.s(a)] = prep.lot_objective_tax + c_obj - horizon * lot_loc
        q[lay.b(a)] = c_obj + horizon * location[a]
        lot_ub = np.where(prep.lot_sellable, prep.lot_value, 0.0) * scale[a]
        x_u[lay.s(a)] = lot_ub
        room = max(0.0, (prep.cash0 - prep.cash_required) * scale[a] + float(lot_ub.sum()))
        x_u[lay.b(a)] = np.where(prep.buy_ok, room + 1e-9, 0.0)
        x_l[lay.z.start + a] = prep.cash_required * scale[a]
        q[lay.z.start + a] = horizon * cash_location[a]
        if prep.max_gain is not None:
            x_u[lay.gain.start + a] = prep.max_gain * scale[a]
        if prep.max_short_gain is not None:
            x_u[lay.short_gain.start + a] = prep.max_short_gain * scale[a]
        holding = holding + prep.holding * scale[a]
    diag = np.concatenate(
        [
            np.full(lay.u.start, 2.0 * IMPACT_WEIGHT),
            2.0 * risk_price * specific,
            np.full(lay.n_factors, 2.0 * risk_price),
            np.zeros(3 * lay.n_accounts),
        ]
    )
    A, b = _equalities(accounts=accounts, lay=lay, scale=scale, exposure=exposure)
    b[:n] = holding - target
    G, h_u = sp.csc_matrix((0, lay.size)), np.zeros(0)
    if any(p.case.preferences.tax.max_tax is not None for p in accounts) or shared_caps:
        G, h_u = _budget_rows(accounts=accounts, lay=lay, household_value=household_value)
        G_caps, h_caps = _shared_cap_rows(shared_caps, lay=lay, household_value=household_value)
        G, h_u = sp.vstack([G, G_caps], format="csc"), np.concatenate([h_u, h_caps])
    qp = QP(
        P=sp.diags(diag, format="csc"),
        q=q,
        A=A,
        b=b,
        G=G,
        h_l=np.full(len(h_u), -INF),
        h_u=h_u,
        x_l=x_l,
        x_u=x_u,
    )
    return HouseholdProblem(accounts=accounts, scale=scale, layout=lay, qp=qp, location=location)


def _equalities(
    *, accounts: tuple[Prepared, ...], lay: HouseholdLayout, scale: np.ndarray, exposure: np.ndarray
) -> tuple[sp.csc_matrix, np.ndarray]:
    """u + sum_a (A_a s_a - b_a) = h - t;  f - L'B'u = 0;  per account a:
    z_a - (1 - c) sum s_a + (1 + c) sum b_a = cash0_a;  g_a - gain's_a = 0;
    e_a - short'gain's_a = 0."""
    n, nf, na = lay.n, lay.n_factors, lay.n_accounts
    secs = np.arange(n)
    u = lay.u.start + secs
    r_factor, r_cash = n, n + nf
    r_gain, r_short = r_cash + na, r_cash + 2 * na
    pieces = [
        (secs, u, np.ones(n)),
        (r_factor + np.repeat(np.arange(nf), n), np.tile(u, nf), -exposure.T.ravel()),
        (r_factor + np.arange(nf), lay.f.start + np.arange(nf), np.ones(nf)),
    ]
    b = np.zeros(n + nf + 3 * na)
    for a, prep in enumerate(accounts):
        c = prep.cost_rate
        lots = np.arange(lay.s(a).start, lay.s(a).stop)
        buys = lay.b(a).start + secs
        m = len(lots)
        pieces += [
            (prep.lot_security, lots, np.ones(m)),
            (secs, buys, -np.ones(n)),
            (np.full(m, r_cash + a), lots, np.full(m, -(1 - c))),
            (np.full(n, r_cash + a), buys, np.full(n, 1 + c)),
            (np.full(m, r_gain + a), lots, -prep.lot_gain_ratio),
            (np.full(m, r_short + a), lots, -prep.lot_gain_ratio * prep.lot_is_short),
            (
                np.array([r_cash + a, r_gain + a, r_short + a]),
                np.array([lay.z.start + a, lay.gain.start + a, lay.short_gain.start + a]),
                np.ones(3),
            ),
        ]
        b[r_cash + a] = prep.cash0 * scale[a]
    rows, cols, vals = (np.concatenate(part) for part in zip(*pieces, strict=True))
    A = sp.csc_matrix((vals, (rows, cols)), shape=(len(b), lay.size))
    return A, b


def _budget_rows(
    *, accounts: tuple[Prepared, ...], lay: HouseholdLayout, household_value: float
) -> tuple[sp.csc_matrix, np.ndarray]:
    """One row per tax filer with tonight's tax room (module docstring)."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    rooms: list[float] = []
    cases = [prep.case for prep in accounts]
    for members in filers(cases):
        budgets = [cases[a].preferences.tax.max_tax for a in members]
        known = [b for b in budgets if b is not None]
        if not known:
            continue
        k = len(rooms)
        for a in members:
            rates = budget_rates(cases[a].preferences.tax)
            rows += [k, k]
            cols += [lay.gain.start + a, lay.short_gain.start + a]
            vals += [rates.long_gain, rates.short_gain - rates.long_gain]
        rooms.append(float(min(known)) / household_value)
    G = sp.csc_matrix((vals, (rows, cols)), shape=(len(rooms), lay.size))
    return G, np.array(rooms)


def _shared_cap_rows(
    shared: Sequence[SharedRows], *, lay: HouseholdLayout, household_value: float
) -> tuple[sp.csc_matrix, np.ndarray]:
    """One row per shared cap (module docstring)."""
    rows: list[int] = []
    cols: list[int] = []
    rooms: list[float] = []
    for members, net, short in shared:
        for room, start in ((net, lay.gain.start), (short, lay.short_gain.start)):
            if room is None:
                continue
            rows += [len(rooms)] * len(members)
            cols += [start + a for a in members]
            rooms.append(room / household_value)
    G = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(rooms), lay.size))
    return G, np.array(rooms)


def bounds_of(problem: HouseholdProblem) -> Bounds:
    qp = problem.qp
    return Bounds(h_l=qp.h_l, h_u=qp.h_u, x_l=qp.x_l.copy(), x_u=qp.x_u.copy())
