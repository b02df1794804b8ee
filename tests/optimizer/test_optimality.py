"""The relaxation's directions against the global optimum on small accounts.

For accounts of up to 12 securities, every buy/sell direction per identical group is
enumerated and the best directed QP kept; the optimizer's choice must come within 0.1 % of
account value of it in at least 95 % of random cases.
"""

from __future__ import annotations

import itertools
import random

import numpy as np

from optimizer import parse_case
from optimizer.errors import OptimizerError
from optimizer.prepare import prepare
from optimizer.problem import base_bounds, build_problem
from optimizer.relaxation import directed_bounds, solve_with_directions
from optimizer.solvers import QPSession

N_CASES = 60
TOLERANCE = 0.001


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


def global_optimum(problem, base) -> float:
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


def test_directions_are_near_globally_optimal_on_small_accounts() -> None:
    rng = random.Random(20250630)
    gaps: list[float] = []
    while len(gaps) < N_CASES:
        case = parse_case(random_case(rng))
        prep = prepare(case=case)
        if not 1 <= len(prep.wash_groups) <= 8:
            continue
        problem = build_problem(prep=prep)
        base = base_bounds(problem=problem)
        ours = solve_with_directions(problem=problem, session=QPSession(qp=problem.qp), bounds=base)
        gaps.append(problem.objective(x=ours.solution.x) - global_optimum(problem, base))
    within = sum(gap <= TOLERANCE for gap in gaps)
    assert within >= 0.95 * N_CASES, sorted(gaps)[-5:]
    assert min(gaps) > -1e-6
