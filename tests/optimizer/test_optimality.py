"""The chosen wash-sale directions against the exact optimum on small accounts.

For accounts of up to 12 securities, every buy/sell direction per identical group is
enumerated and the best directed QP kept. The optimizer's answer must come within 1 bp of
account value of it in every case, and its lower bound must never exceed it.
"""

from __future__ import annotations

import itertools
import random

import numpy as np

from optimizer import parse_case
from optimizer.errors import OptimizerError
from optimizer.prepare import prepare
from optimizer.problem import Problem, base_bounds, build_problem
from optimizer.relaxation import directed_bounds, solve_completely
from optimizer.solvers import Bounds, QPSession

N_CASES = 40
ONE_BP = 1e-4
SOLVER_SLACK = 1e-7


def random_case(rng: random.Random) -> dict:
    """A taxable account with pairs of identical securities, gains and losses, and a
    swap partner in each asset class."""
    n = rng.randint(3, 12)
    securities, lots, target = {}, [], {}
    for i in range(n):
        price = round(rng.uniform(10, 300), 2)
        securities[f"S{i}"] = {
            "price": str(price),
            "asset_class": f"c{i % 3}",
            "identical_group": f"g{i // 2}" if rng.random() < 0.5 else None,
        }
        for k in range(rng.randint(0, 3)):
            qty = rng.randint(5, 200)
            basis = price * qty * rng.uniform(0.5, 1.6)
            lots.append(
                {
                    "id": f"S{i}-{k}",
                    "symbol": f"S{i}",
                    "quantity": str(qty),
                    "cost_basis": f"{basis:.2f}",
                    "acquired": f"{rng.choice([2021, 2023, 2024, 2025])}-0{rng.randint(1, 5)}-15",
                }
            )
    for symbol in rng.sample(sorted(securities), k=max(1, n // 2)):
        target[symbol] = rng.uniform(0.05, 1.0)
    total = sum(target.values()) / 0.97
    return {
        "as_of": "2025-06-30",
        "account": {"id": "OPT", "cash": f"{rng.uniform(0, 20000):.2f}"},
        "securities": securities,
        "lots": lots,
        "target": {s: f"{w / total:.4f}" for s, w in target.items()},
        "preferences": {
            "trading": {"cost_bps": "2"},
            "cash": {"withdrawal": f"{rng.choice([0, 0, 5000]):.2f}"},
        },
    }


def global_optimum(problem: Problem, base: Bounds) -> float:
    session = QPSession(qp=problem.qp)
    best = np.inf
    for signs in itertools.product((1, -1), repeat=problem.layout.n_wash):
        bounds = directed_bounds(problem=problem, bounds=base, directions=np.array(signs))
        try:
            x = session.solve(bounds=bounds).x
        except OptimizerError:
            continue
        best = min(best, problem.objective(x=x))
    return best


def test_directions_are_within_one_bp_of_the_exact_optimum_on_small_accounts() -> None:
    rng = random.Random(20250630)
    rows: list[tuple[int, float, float]] = []
    while len(rows) < N_CASES:
        case = parse_case(random_case(rng))
        prep = prepare(case=case)
        if not 1 <= len(prep.wash_groups) <= 8:
            continue
        problem = build_problem(prep=prep)
        base = base_bounds(problem=problem)
        ours = solve_completely(problem=problem, session=QPSession(qp=problem.qp), bounds=base)
        best = global_optimum(problem, base)
        rows.append(
            (
                problem.layout.n_wash,
                problem.objective(x=ours.solution.x) - best,
                ours.lower_bound - best,
            )
        )
    misses = [(n, miss / ONE_BP) for n, miss, _ in rows if miss > ONE_BP]
    assert not misses, f"answers more than 1 bp above the exact optimum (groups, bp): {misses}"
    above = [(n, over / ONE_BP) for n, _, over in rows if over > SOLVER_SLACK]
    assert not above, f"lower bounds above the exact optimum (groups, bp): {above}"
    assert min(miss for _, miss, _ in rows) > -1e-6
