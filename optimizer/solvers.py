"""QP solves: PIQP first (interior point, sparse), Clarabel as the fallback.

Both solve  min ½ x'Px + q'x  s.t.  Ax = b,  h_l <= Gx <= h_u,  x_l <= x <= x_u.
A session sets PIQP up once per problem shape and re-solves with new bounds through
`update`, which reuses the symbolic factorization. It also remembers its answers: the
same bounds again return the same answer, and a recent answer to looser bounds that lies
within tighter ones is their optimum too (the objective is the same and the feasible set
smaller), so it is returned without a solve. OSQP is not used: at its default
tolerance its objectives are several percent off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property

import clarabel
import numpy as np
import piqp
import scipy.sparse as sp

from optimizer.errors import OptimizerInfeasibleError, SolverError

INF = np.inf
_BIG = 1e20
_ROW_FAR = 10.0
_LOOSER_CHECKED = 2
_WITHIN = 1e-9
"""How far (fraction of the account value) a remembered answer may sit outside tighter
bounds and still answer them, clipped into them: the solvers' own feasibility tolerance."""


@dataclass(frozen=True)
class QP:
    """Matrices of one QP. Bounds may hold +-inf."""

    P: sp.csc_matrix
    q: np.ndarray
    A: sp.csc_matrix
    b: np.ndarray
    G: sp.csc_matrix
    h_l: np.ndarray
    h_u: np.ndarray
    x_l: np.ndarray
    x_u: np.ndarray

    @cached_property
    def p_diagonal(self) -> np.ndarray | None:
        """P's diagonal where P has nothing off it (as every QP of one account), else None."""
        return diagonal_of(self.P)

    def objective(self, x: np.ndarray) -> float:
        """½ x'Px + q'x."""
        return quadratic(self.P, self.p_diagonal, self.q, x)


def diagonal_of(P: sp.csc_matrix) -> np.ndarray | None:
    """P's diagonal where P has no entry off it, else None. Read off the compressed
    columns (each stored entry's row is its column's index), not through a COO copy."""
    if P.format != "csc":
        P = P.tocsc()
    indptr = P.indptr
    columns = np.repeat(np.arange(P.shape[1]), indptr[1:] - indptr[:-1])
    if P.indices.shape != columns.shape or not (P.indices == columns).all():
        return None
    diagonal: np.ndarray = P.diagonal()
    return diagonal


def diagonal_matrix(values: np.ndarray) -> sp.csc_matrix:
    """The diagonal matrix of `values` in CSC, storing its nonzero entries only: the
    matrix `sp.diags(values, format="csc")` makes, built directly (that conversion, through
    the DIA and CSR formats, costs more than the rest of a fund account's problem)."""
    stored = np.flatnonzero(values)
    indptr = np.zeros(len(values) + 1, dtype=np.int32)
    indptr[1:] = np.cumsum(values != 0)
    return sp.csc_matrix(
        (values[stored], stored.astype(np.int32), indptr), shape=(len(values), len(values))
    )


def quadratic(P: sp.csc_matrix, diagonal: np.ndarray | None, q: np.ndarray, x: np.ndarray) -> float:
    """½ x'Px + q'x, through P's diagonal when it has one (the same products and sums as
    the sparse product, without its overhead; `dot`, the same sums as `@` on vectors,
    without the matmul's dispatch)."""
    px = diagonal * x if diagonal is not None else P @ x
    return float((0.5 * x).dot(px) + q.dot(x))


@dataclass(frozen=True)
class Bounds:
    """What changes between re-solves of one shape."""

    h_l: np.ndarray
    h_u: np.ndarray
    x_l: np.ndarray
    x_u: np.ndarray


@dataclass(frozen=True)
class Multipliers:
    """PIQP's multipliers at its answer, with stationarity  Px + q + A'y + G'(z_u - z_l) +
    (box terms) = 0:  y for the equalities, z_l >= 0 and z_u >= 0 for the lower and upper
    sides of G's rows. Any such y and z give a lower bound on the QP over any bounds
    (weak duality; `exact_directions.py`), so an answer remembered for other bounds keeps them."""

    y: np.ndarray
    z_l: np.ndarray
    z_u: np.ndarray


@dataclass(frozen=True)
class Solution:
    x: np.ndarray
    objective: float
    solver: str
    seconds: float
    multipliers: Multipliers | None = None


class QPSession:
    """Solves one QP shape repeatedly with different bounds. Not thread-safe."""

    def __init__(self, *, qp: QP, inherit: QPSession | None = None) -> None:
        """`inherit`: a session of a problem that differs from `qp` only in P's values
        and q (the same rows, and P with the same pattern), whose PIQP set-up this one
        takes over (updated, not set up again) where it has one; that session sets up
        afresh if it solves again."""
        self.qp = qp
        self._piqp: piqp.SparseSolver | None = None
        self._inherited = False
        if inherit is not None and inherit._piqp is not None and _same_pattern(inherit.qp, qp):
            self._piqp, inherit._piqp = inherit._piqp, None
            self._inherited = True
        self._answers: dict[bytes, Solution] = {}
        self._recent: list[tuple[Bounds, Solution]] = []

    def solve(self, *, bounds: Bounds, remember: bool = True) -> Solution:
        """PIQP, then Clarabel; `OptimizerInfeasibleError` when both say infeasible,
        `SolverError` when neither returns an accurate answer. A remembered answer that
        already solves `bounds` is returned without solving. With `remember` False the
        QP is solved outright and its answer not kept (a search whose problems never
        repeat and never lie within an earlier answer)."""
        start = time.perf_counter()
        if not remember:
            return self._solve(bounds=bounds, start=start)
        key = bounds_key(bounds)
        known = self._remembered(bounds=bounds, key=key, start=start)
        if known is not None:
            return known
        solution = self._solve(bounds=bounds, start=start)
        self._keep(bounds=bounds, key=key, solution=solution)
        return solution

    def answer_to(self, bounds: Bounds) -> Solution | None:
        """The answer remembered for exactly `bounds`, if any (not a copy: read only)."""
        return self._answers.get(bounds_key(bounds))

    def keep(self, *, bounds: Bounds, solution: Solution) -> None:
        """Remember `solution`, solved for `bounds` without being kept, as their answer:
        later solves of the same or tighter bounds that it meets return it."""
        self._keep(bounds=bounds, key=bounds_key(bounds), solution=solution)

    def _keep(self, *, bounds: Bounds, key: bytes, solution: Solution) -> None:
        kept = Bounds(
            h_l=bounds.h_l.copy(),
            h_u=bounds.h_u.copy(),
            x_l=bounds.x_l.copy(),
            x_u=bounds.x_u.copy(),
        )
        answer = _copied(solution)
        self._answers[key] = answer
        self._recent = [*self._recent[-(_LOOSER_CHECKED - 1) :], (kept, answer)]

    def _remembered(self, *, bounds: Bounds, key: bytes, start: float) -> Solution | None:
        """The answer to the same bounds (`key`), or a recent looser problem's answer that
        lies within `bounds` (clipped into them), else None."""
        same = self._answers.get(key)
        if same is not None:
            return _copied(same)
        for known, solution in reversed(self._recent):
            if _within(self.qp, bounds, solution.x) and _looser(known, bounds):
                x = np.clip(solution.x, bounds.x_l, bounds.x_u)
                return self._finish(x=x, solver=solution.solver, start=start)
        return None

    def _solve(self, *, bounds: Bounds, start: float) -> Solution:
        status = self._solve_piqp(bounds=bounds)
        if status == "solved" and self._piqp is not None:
            result = self._piqp.result
            x = np.array(result.x)
            if self.qp.G.shape[0]:
                z_l = np.maximum(result.z_l, 0.0)
                z_u = np.maximum(result.z_u, 0.0)
            else:
                z_l, z_u = np.zeros(0), np.zeros(0)
            multipliers = Multipliers(y=np.array(result.y), z_l=z_l, z_u=z_u)
            return self._finish(x=x, solver="piqp", start=start, multipliers=multipliers)
        fallback_status, x = _solve_clarabel(qp=self.qp, bounds=bounds)
        if fallback_status == "solved":
            return self._finish(x=x, solver="clarabel", start=start)
        if "infeasible" in (status, fallback_status):
            raise OptimizerInfeasibleError("the constraints cannot all be met")
        raise SolverError(f"PIQP: {status}; Clarabel: {fallback_status}")

    def _finish(
        self,
        *,
        x: np.ndarray,
        solver: str,
        start: float,
        multipliers: Multipliers | None = None,
    ) -> Solution:
        seconds = time.perf_counter() - start
        objective = self.qp.objective(x)
        return Solution(
            x=x, objective=objective, solver=solver, seconds=seconds, multipliers=multipliers
        )

    def _solve_piqp(self, *, bounds: Bounds) -> str:
        if self._inherited and self._piqp is not None:
            self._inherited = False
            try:
                self._piqp.update(P=self.qp.P, c=self.qp.q)
            except (ValueError, RuntimeError):
                self._piqp = None
        try:
            if self._piqp is None:
                solver = piqp.SparseSolver()
                solver.settings.eps_abs = 1e-8
                solver.settings.eps_rel = 1e-9
                solver.settings.max_iter = 200
                qp = self.qp
                if qp.G.shape[0]:
                    solver.setup(
                        qp.P, qp.q, qp.A, qp.b, qp.G, *_finite_rows(bounds), bounds.x_l, bounds.x_u
                    )
                else:
                    solver.setup(qp.P, qp.q, qp.A, qp.b, None, None, None, bounds.x_l, bounds.x_u)
                self._piqp = solver
            else:
                if self.qp.G.shape[0]:
                    h_l, h_u = _finite_rows(bounds)
                    self._piqp.update(h_l=h_l, h_u=h_u)
                self._piqp.update(x_l=bounds.x_l, x_u=bounds.x_u)
            status = self._piqp.solve()
        except (ValueError, RuntimeError) as exc:
            self._piqp = None
            return f"failed ({exc})"
        if status == piqp.PIQP_SOLVED:
            return "solved"
        if status in (piqp.PIQP_PRIMAL_INFEASIBLE, piqp.PIQP_DUAL_INFEASIBLE):
            return "infeasible"
        self._piqp = None
        return str(status)


def _copied(solution: Solution) -> Solution:
    """`solution` with its own copy of x, so that a remembered answer is never shared
    (made directly: `dataclasses.replace` costs more than the copy on every solve)."""
    return Solution(
        x=solution.x.copy(),
        objective=solution.objective,
        solver=solution.solver,
        seconds=solution.seconds,
        multipliers=solution.multipliers,
    )


def _same_pattern(a: QP, b: QP) -> bool:
    """Whether `b` differs from `a` at most in P's values and q: the same row matrices and
    right sides, and P of the same shape and sparsity pattern."""
    return (
        a.A is b.A
        and a.G is b.G
        and a.b is b.b
        and a.P.shape == b.P.shape
        and np.array_equal(a.P.indptr, b.P.indptr)
        and np.array_equal(a.P.indices, b.P.indices)
    )


def bounds_key(bounds: Bounds) -> bytes:
    return b"".join(a.tobytes() for a in (bounds.x_l, bounds.x_u, bounds.h_l, bounds.h_u))


def _looser(a: Bounds, b: Bounds) -> bool:
    """Every point within `b` is within `a`."""
    return bool(
        (a.x_l <= b.x_l).all()
        and (a.x_u >= b.x_u).all()
        and (a.h_l <= b.h_l).all()
        and (a.h_u >= b.h_u).all()
    )


def _within(qp: QP, bounds: Bounds, x: np.ndarray) -> bool:
    """`x` meets `bounds` to within the solvers' tolerance."""
    if not ((x >= bounds.x_l - _WITHIN) & (x <= bounds.x_u + _WITHIN)).all():
        return False
    if not qp.G.shape[0]:
        return True
    rows = qp.G @ x
    return bool((rows >= bounds.h_l - _WITHIN).all() and (rows <= bounds.h_u + _WITHIN).all())


def _finite_rows(bounds: Bounds) -> tuple[np.ndarray, np.ndarray]:
    """Inequality rows with a side at infinity get a far finite side instead: every row
    is money as a fraction of the account value, so 10 is never reached, and PIQP keeps
    the row (and the factorization's structure) rather than warning and dropping it."""
    return np.maximum(bounds.h_l, -_ROW_FAR), np.minimum(bounds.h_u, _ROW_FAR)


def _solve_clarabel(*, qp: QP, bounds: Bounds) -> tuple[str, np.ndarray]:
    """Clarabel in conic form: equalities, then each finite side of G and of the bounds as
    a nonnegative row."""
    n = qp.P.shape[0]
    eye = sp.identity(n, format="csc")
    rows, rhs = [qp.A], [qp.b]
    for matrix, lower, upper in ((qp.G, bounds.h_l, bounds.h_u), (eye, bounds.x_l, bounds.x_u)):
        up = np.isfinite(upper) & (upper < _BIG)
        lo = np.isfinite(lower) & (lower > -_BIG)
        rows += [matrix[up], -matrix[lo]]
        rhs += [upper[up], -lower[lo]]
    stacked = sp.vstack(rows, format="csc")
    n_eq = qp.A.shape[0]
    cones = [clarabel.ZeroConeT(n_eq), clarabel.NonnegativeConeT(stacked.shape[0] - n_eq)]
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    try:
        solver = clarabel.DefaultSolver(
            sp.triu(qp.P, format="csc"), qp.q, stacked, np.concatenate(rhs), cones, settings
        )
        result = solver.solve()
    except (ValueError, RuntimeError, TypeError) as exc:
        return f"failed ({exc})", np.zeros(n)
    status = str(result.status)
    if status == "Solved":
        return "solved", np.array(result.x)
    if "Infeasible" in status and "Almost" not in status:
        return "infeasible", np.zeros(n)
    return status, np.zeros(n)
