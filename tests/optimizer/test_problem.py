"""The sparse QP assembly and the Clarabel relaxation agree with the readable cvxpy model of
the same problems, and the perspective relaxation is a relaxation."""

from __future__ import annotations

import random

import numpy as np
import pytest
import scipy.sparse as sp

from optimizer import parse_case
from optimizer.cvx_model import cvx_problem
from optimizer.perspective import perspective_relaxation
from optimizer.prepare import prepare
from optimizer.problem import base_bounds, build_problem, priced_problem
from optimizer.relaxation import directed_bounds, solve_with_directions
from optimizer.solvers import QPSession, diagonal_of
from optimizer.synthetic import etf_account
from tests.optimizer.test_optimality import random_case


@pytest.mark.parametrize("seed", range(6))
def test_sparse_qp_and_cvxpy_model_reach_the_same_optimum(seed: int) -> None:
    # given
    prep = prepare(case=parse_case(random_case(random.Random(seed))))
    problem = build_problem(prep=prep)
    base = base_bounds(problem=problem)
    session = QPSession(qp=problem.qp)

    # when
    relaxed = perspective_relaxation(problem=problem, bounds=base)
    directed = solve_with_directions(problem=problem, session=session, bounds=base)
    relaxed_cvx, _, _ = cvx_problem(problem=problem, directions=None)
    relaxed_cvx.solve(solver="CLARABEL")
    fixed_cvx, _, _ = cvx_problem(
        problem=problem, directions=directed.directions if problem.layout.n_wash else None
    )
    fixed_cvx.solve(solver="CLARABEL")

    # then (the QP drops the tracking objective's constant; compare differences)
    assert directed.solution.objective == pytest.approx(fixed_cvx.value, abs=1e-6)
    if problem.layout.n_wash:
        assert relaxed is not None
        assert relaxed.lower_bound == pytest.approx(relaxed_cvx.value, abs=1e-6)
        assert relaxed.lower_bound <= directed.solution.objective + 1e-7


def test_directed_solution_never_buys_a_wash_group_and_sells_it_at_a_loss() -> None:
    prep = prepare(case=etf_account())
    problem = build_problem(prep=prep)
    base = base_bounds(problem=problem)
    directed = solve_with_directions(problem=problem, session=QPSession(qp=problem.qp), bounds=base)
    bounds = directed_bounds(problem=problem, bounds=base, directions=directed.directions)
    lay = problem.layout

    loss = prep.lot_gain_ratio < 0
    for g in prep.wash_groups:
        buys = bounds.x_u[lay.b][prep.security_group == g]
        loss_sales = bounds.x_u[lay.s][(prep.security_group[prep.lot_security] == g) & loss]
        assert np.all(buys == 0) or np.all(loss_sales == 0)


def test_the_objective_matrices_are_the_diagonal_matrices_scipy_makes() -> None:
    # given a fund account's problem, unpriced and with the tracking-error limit priced in
    problem = build_problem(prep=prepare(case=etf_account()))
    priced = priced_problem(problem=problem, limit_weight=0.7)

    # then each objective matrix stores what sp.diags stores (PIQP sees the same
    # matrices), and its diagonal is read off without a copy
    limit = problem.limit
    expected = (
        (problem.P_true, sp.diags(problem.P_true.diagonal(), format="csc")),
        (
            priced.qp.P,
            (problem.P_true + sp.diags(2.0 * 0.7 * limit.diag)).tocsc(),
        ),
    )
    for made, by_scipy in expected:
        assert made.format == "csc"
        np.testing.assert_array_equal(made.indptr, by_scipy.indptr)
        np.testing.assert_array_equal(made.indices, by_scipy.indices)
        np.testing.assert_array_equal(made.data, by_scipy.data)
        np.testing.assert_array_equal(diagonal_of(made), by_scipy.diagonal())
    assert diagonal_of(sp.csc_matrix(np.ones((2, 2)))) is None
