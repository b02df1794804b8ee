"""The fund account's exact search over wash-sale directions (`optimizer/exact_directions.py`):
its answer against every choice of directions solved, its lower bound, and the dual
function that sets children aside."""

from __future__ import annotations

import itertools

import numpy as np

from optimizer import optimize_account
from optimizer.errors import OptimizerError
from optimizer.exact_directions import CLOSE, dual_bound, exact_directions
from optimizer.prepare import prepare
from optimizer.problem import Problem, base_bounds, build_problem
from optimizer.relaxation import directed_bounds
from optimizer.solvers import Bounds, Multipliers, QPSession
from optimizer.synthetic import etf_account

ONE_BP = 1e-4


def _problem(seed: int) -> tuple[Problem, Bounds]:
    problem = build_problem(prep=prepare(case=etf_account(seed=seed)))
    return problem, base_bounds(problem=problem)


def _enumerated(problem: Problem, base: Bounds) -> float:
    session = QPSession(qp=problem.qp)
    best = np.inf
    for signs in itertools.product((1, -1), repeat=problem.layout.n_wash):
        bounds = directed_bounds(problem=problem, bounds=base, directions=np.array(signs))
        try:
            best = min(best, problem.solved_objective(x=session.solve(bounds=bounds).x))
        except OptimizerError:
            continue
    return best


def test_the_search_finds_the_exact_optimum_and_proves_it() -> None:
    for seed in (0, 3, 5):
        # given: twelve funds, ten or eleven groups that may both buy and sell at a loss
        problem, base = _problem(seed)
        assert problem.layout.n_wash >= 10

        # when
        found = exact_directions(problem=problem, session=QPSession(qp=problem.qp), bounds=base)

        # then: the best of the 2^W directed answers, and a bound within CLOSE of it
        assert found is not None and found.proven
        best = _enumerated(problem, base)
        answer = problem.solved_objective(x=found.solution.x)
        assert abs(answer - best) < 1e-8
        assert found.lower_bound <= best + 1e-9
        assert answer - found.lower_bound <= CLOSE
        assert found.solves < 2**problem.layout.n_wash // 8


def test_the_dual_function_bounds_every_directed_problem() -> None:
    problem, base = _problem(1)
    session = QPSession(qp=problem.qp)
    root = session.solve(bounds=base)
    assert root.multipliers is not None
    rng = np.random.default_rng(7)
    # at its own multipliers the dual function meets the QP's optimum
    assert (
        abs(
            dual_bound(problem=problem, multipliers=root.multipliers, bounds=base)
            - (problem.solved_objective(x=root.x))
        )
        < 1e-7
    )
    for _ in range(20):
        directions = rng.choice([-1, 0, 1], size=problem.layout.n_wash)
        bounds = directed_bounds(problem=problem, bounds=base, directions=directions)
        optimum = problem.solved_objective(x=session.solve(bounds=bounds).x)
        shaken = Multipliers(
            y=root.multipliers.y + rng.normal(scale=1e-3, size=len(root.multipliers.y)),
            z_l=root.multipliers.z_l,
            z_u=root.multipliers.z_u,
        )
        for multipliers in (root.multipliers, shaken):
            assert dual_bound(problem=problem, multipliers=multipliers, bounds=bounds) <= (
                optimum + 1e-9
            )


def test_the_twelve_fund_account_is_certified_within_a_basis_point() -> None:
    result = optimize_account(etf_account())

    assert result.summary is not None and result.summary.certificate_gap_bp is not None
    assert float(result.summary.certificate_gap_bp) < 1.0


def test_the_search_is_exact_where_a_loss_sale_is_forced() -> None:
    # given: a loss lot of a group in doubt that must be partly sold (its lower bound above
    # zero), so the group cannot buy and the children's bounds take the general route
    problem, base = _problem(0)
    losses = np.flatnonzero(problem.prep.lot_gain_ratio < 0)
    lot = int(losses[np.argmax(base.x_u[losses])])
    x_l = base.x_l.copy()
    x_l[lot] = 0.5 * base.x_u[lot]
    forced = Bounds(h_l=base.h_l, h_u=base.h_u, x_l=x_l, x_u=base.x_u)

    # when
    found = exact_directions(problem=problem, session=QPSession(qp=problem.qp), bounds=forced)

    # then: the best of the 2^W directed answers, proven
    assert found is not None and found.proven
    best = _enumerated(problem, forced)
    assert abs(problem.solved_objective(x=found.solution.x) - best) < 1e-8
    assert found.lower_bound <= best + 1e-9
