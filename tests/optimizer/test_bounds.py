"""The two ways the certificate's lower bound is raised where the perspective relaxation
alone is loose: the branch-and-bound over undecided groups, and the Lagrangian bound of
large accounts. Each must stay at or below the exact optimum (small accounts, every
direction enumerated) and below every directed answer (500-stock accounts)."""

from __future__ import annotations

import random

import numpy as np

from optimizer import parse_case
from optimizer.lagrangian import ascended
from optimizer.perspective import perspective_relaxation
from optimizer.prepare import prepare
from optimizer.problem import base_bounds, build_problem
from optimizer.relaxation import BUY, SELL, branched, directed_bounds
from optimizer.solvers import QPSession
from optimizer.synthetic import direct_index_account
from tests.optimizer.test_optimality import global_optimum, random_case

ONE_BP = 1e-4
SOLVER_SLACK = 1e-7
N_CASES = 12


def test_branch_and_bound_and_lagrangian_bounds_stay_below_the_exact_optimum() -> None:
    rng = random.Random(7)
    rows: list[tuple[int, float, float, float]] = []
    while len(rows) < N_CASES:
        prep = prepare(case=parse_case(random_case(rng)))
        if not 4 <= len(prep.wash_groups) <= 8:
            continue
        problem = build_problem(prep=prep)
        base = base_bounds(problem=problem)
        session = QPSession(qp=problem.qp)
        root = perspective_relaxation(problem=problem, bounds=base)
        assert root is not None
        selling = np.full(problem.layout.n_wash, SELL)
        start = session.solve(
            bounds=directed_bounds(problem=problem, bounds=base, directions=selling)
        )
        searched = branched(
            problem=problem,
            session=session,
            bounds=base,
            root=root,
            directions=selling,
            best=start,
        )
        priced = ascended(problem=problem, bounds=base, x=searched.solution.x, evaluations=20)
        best = global_optimum(problem, base)
        rows.append(
            (
                problem.layout.n_wash,
                problem.objective(x=searched.solution.x) - best,
                searched.lower_bound - best,
                priced.lower_bound - best,
            )
        )
    print("groups, answer - optimum, branched bound - optimum, Lagrangian bound - optimum (bp):")
    for n, miss, over, lagrangian in rows:
        print(n, round(miss / ONE_BP, 3), round(over / ONE_BP, 3), round(lagrangian / ONE_BP, 3))
    assert all(over <= SOLVER_SLACK for _, _, over, _ in rows)
    assert all(lagrangian <= SOLVER_SLACK for _, _, _, lagrangian in rows)
    assert all(miss <= ONE_BP for _, miss, _, _ in rows)


def test_the_lagrangian_bound_is_below_every_directed_answer_of_a_500_stock_account() -> None:
    # given
    problem = build_problem(prep=prepare(case=direct_index_account(seed=5)))
    base = base_bounds(problem=problem)
    session = QPSession(qp=problem.qp)
    rng = np.random.default_rng(3)

    # when
    priced = ascended(problem=problem, bounds=base, x=np.zeros(problem.layout.size), evaluations=12)
    answers = []
    for _ in range(4):
        directions = rng.choice([SELL, BUY], size=problem.layout.n_wash)
        bounds = directed_bounds(problem=problem, bounds=base, directions=directions)
        answers.append(problem.solved_objective(x=session.solve(bounds=bounds).x))
    cheaper = np.where(priced.sell < priced.buy, SELL, BUY)
    bounds = directed_bounds(problem=problem, bounds=base, directions=cheaper)
    priced_answer = problem.solved_objective(x=session.solve(bounds=bounds).x)

    # then: a bound on all of them, and the priced directions' answer is within 1 bp of it
    assert priced.lower_bound <= min(answers) + SOLVER_SLACK
    assert priced_answer - priced.lower_bound <= ONE_BP
