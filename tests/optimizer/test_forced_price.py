"""Where a hard rule keeps tracking error above the limit, the price search stops at the
lowest price whose answer is within `_CLOSE` of the lowest tracking error found
(`limit_price._least_forced`): a higher price buys less than that with tax and trades."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from optimizer import optimize_account, parse_case
from optimizer.contract.serialize import case_to_dict
from optimizer.limit_price import _CLOSE, Priced, _least_forced
from optimizer.objective import solve_within_limit
from optimizer.prepare import prepare
from optimizer.problem import build_problem
from optimizer.relaxation import BUY, SELL, directed_bounds, group_sides
from optimizer.synthetic import direct_index_account
from tests.optimizer.test_harvest_drift import _direct_index
from tests.optimizer.test_limit_bound import SOLVER_SLACK, _held_optimum

DATA = Path(__file__).parent / "data"


def _trial(weight: float, te: float) -> Priced:
    return Priced(weight, None, None, np.zeros(1), te, 1)  # type: ignore[arg-type]


def test_of_answers_as_close_the_lowest_price_stands() -> None:
    # given a search whose answers stall above the ceiling: each price ten times the last
    trials = [
        _trial(25.0, 0.0180),
        _trial(250.0, 0.0150),
        _trial(2_500.0, 0.0136 + 0.8 * _CLOSE),
        _trial(25_000.0, 0.0136 + 0.1 * _CLOSE),
        _trial(250_000.0, 0.0136),
    ]

    # then the first within _CLOSE of the lowest stands, not the lowest; but never one
    # above where the account starts, unless even the lowest is
    far = 0.0200
    assert _least_forced(trials, start=far).weight == 2_500.0  # type: ignore[union-attr]
    two = [trials[0], trials[1]]
    assert _least_forced(two, start=far).weight == 250.0  # type: ignore[union-attr]
    near = 0.0136 + 0.5 * _CLOSE
    assert _least_forced(trials, start=near).weight == 25_000.0  # type: ignore[union-attr]
    assert _least_forced(trials, start=0.0100).weight == 250_000.0  # type: ignore[union-attr]
    assert _least_forced([], start=far) is None


def test_a_forced_account_ends_within_close_of_the_least_tracking_error_it_can_reach() -> None:
    # given the four-stock direct index, 40 % in AAA (target 25 %) that the client will not
    # sell, and a limit of 0.1 %/yr that this keeps out of reach
    data = _direct_index()
    data["lots"][0].update(quantity="40", cost_basis="4000.00")
    data["preferences"]["risk"] = {"tracking_error_limit_pct": "0.1"}
    data["preferences"]["restrictions"] = [{"symbol": "AAA", "type": "do_not_sell"}]

    # when
    result = optimize_account(data)

    # then it is flagged as forced by the restriction, and its tracking error is the least
    # any answer reaches within what whole shares move: the rest of AAA's excess weight
    # goes to BBB, its closest substitute (computed by hand from the risk model)
    summary = result.summary
    assert result.status == "optimal" and summary is not None
    assert "drift_forced" in summary.flags
    assert [r.rule for r in summary.binding_rules if r.forced_drift] == ["restriction"]
    prep = prepare(case=parse_case(data))
    assert prep.value == 11_500.0
    after = float(summary.tracking_error_after_pct or 0) / 100
    least = _least_tracking_error(aaa=4_000 / 11_500)
    assert least - 1e-6 <= after <= least + _CLOSE + 0.0005


def _least_tracking_error(*, aaa: float) -> float:
    """The least tracking error with AAA held at `aaa` of the account: the others chosen
    by least squares on the covariance (market, Tech, Energy factors; 1 %/yr specific)."""
    b = np.array([[1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1]], dtype=float)
    f = np.diag([0.04, 0.01, 0.01])
    cov = b @ f @ b.T + 0.0001 * np.eye(4)
    # active weights a: a_AAA fixed, the rest free with sum(a) = 0 (fully invested)
    a_aaa = aaa - 0.25
    free = [1, 2, 3]
    # minimize a' C a with a_0 fixed and sum a = 0: KKT system
    c_ff = cov[np.ix_(free, free)]
    c_f0 = cov[free, 0]
    kkt = np.block([[2 * c_ff, np.ones((3, 1))], [np.ones((1, 3)), np.zeros((1, 1))]])
    rhs = np.concatenate([-2 * c_f0 * a_aaa, [-a_aaa]])
    solution = np.linalg.solve(kkt, rhs)
    a = np.concatenate([[a_aaa], solution[:3]])
    return float(np.sqrt(a @ cov @ a))


def test_a_forced_answer_further_out_is_certified_by_every_price_s_bound() -> None:
    # given a synthetic direct index whose most overweight stock the client will not sell,
    # which keeps it above its 0.3 %/yr limit, solved: the price search leaves bounds at
    # several prices
    data = case_to_dict(direct_index_account(seed=2, n_stocks=40, lots_per_stock=2, n_factors=8))
    price = {s: float(v["price"]) for s, v in data["securities"].items()}
    held: dict[str, float] = {}
    for lot in data["lots"]:
        symbol = lot["symbol"]
        held[symbol] = held.get(symbol, 0.0) + float(lot["quantity"]) * price[symbol]
    total = sum(held.values()) + float(data["account"]["cash"])
    over = max(held, key=lambda s: held[s] / total - float(data["target"].get(s, 0)))
    data["preferences"]["risk"] = {"tracking_error_limit_pct": "0.3"}
    data["preferences"]["restrictions"] = [{"symbol": over, "type": "do_not_sell"}]
    prep = prepare(case=parse_case(data))
    solved = solve_within_limit(prep=prep)
    assert solved.forced and solved.bound_ceiling is not None
    assert len(solved.other_bounds) >= 2

    # when the answer's tracking error is taken 0.02 %/yr further out (as whole shares may)
    reach = solved.bound_ceiling + 0.0002
    bound = solved.certified_bound(tracking_error=reach)

    # then the bound is the best of the prices' bounds there, and still below the least
    # objective any answer with the answer's directions reaches within that tracking error
    each = [p.real_bound(bound=lower, ceiling=reach) for p, lower in solved.other_bounds]
    assert bound >= max(each)
    problem = build_problem(prep=prep)
    _, bought = group_sides(problem=problem, x=solved.x)
    directions = np.where(bought > 1e-7, BUY, SELL)
    final = directed_bounds(problem=problem, bounds=solved.base, directions=directions)
    assert bound <= _held_optimum(problem, final, reach) + SOLVER_SLACK


def test_a_forced_fund_account_is_certified_within_one_bp() -> None:
    # given a fund account of the nightly book (6 funds; a do-not-sell keeps it at 2.46 %/yr
    # against its limit) whose whole shares end 0.0002 %/yr beyond the continuous answer:
    # its price search's chosen bound falls 23 bp there, a lower price's bound does not
    data = json.loads((DATA / "forced_fund_account.json").read_text())

    # when
    result = optimize_account(data)

    # then
    summary = result.summary
    assert result.status == "optimal" and summary is not None
    assert "drift_forced" in summary.flags
    assert summary.certificate_gap_bp is not None and summary.certificate_gap_bp <= 1
