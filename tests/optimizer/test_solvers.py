"""Solver fallback: PIQP first, Clarabel when PIQP fails, status "error" when both do."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from optimizer import optimize_account, result_to_dict
from optimizer import solvers as solvers_module
from optimizer.contract.parse import parse_case
from optimizer.explain import RuleRelief, gain_ceilings, not_binding
from optimizer.objective import Solved
from optimizer.prepare import prepare
from optimizer.problem import base_bounds, build_problem, priced_problem
from optimizer.reliefs import rule_reliefs
from optimizer.synthetic import direct_index_account
from optimizer.tax_solve import solve_valued
from tests.optimizer.invariants import check_invariants
from tests.optimizer.test_hand_portfolios import account, solve


def test_clarabel_answers_when_piqp_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    # given PIQP reporting a numerical failure on every solve
    monkeypatch.setattr(
        solvers_module.QPSession, "_solve_piqp", lambda self, *, bounds: "PIQP_NUMERICS"
    )
    case = account(target={"STK": "0.80", "BND": "0.20"})

    # when
    result = result_to_dict(optimize_account(case))

    # then the same trades come back, from Clarabel
    assert result["status"] == "optimal"
    assert {(t["side"], t["symbol"], t["quantity"]) for t in result["trades"]} == {
        ("sell", "BND", "30"),
        ("buy", "STK", "30"),
    }
    assert check_invariants(case, result) == []


def test_both_solvers_failing_is_a_retryable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        solvers_module.QPSession, "_solve_piqp", lambda self, *, bounds: "PIQP_NUMERICS"
    )
    monkeypatch.setattr(
        solvers_module,
        "_solve_clarabel",
        lambda *, qp, bounds: ("MaxIterations", np.zeros(qp.P.shape[0])),
    )

    result = optimize_account(account(target={"STK": "0.80", "BND": "0.20"}))

    assert result.status == "error"
    assert result.retryable is True
    assert "PIQP" in result.message and "Clarabel" in result.message
    assert result.trades == ()


def test_an_unexpected_exception_becomes_an_error_status(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(**_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("optimizer.objective.build_problem", explode)

    result = optimize_account(account())

    assert result.status == "error"
    assert "boom" in result.message


def test_harvest_reports_what_the_wash_sale_rule_costs() -> None:
    # given a deep loss with only an identical swap partner: the rule blocks the rebuy
    case = account(account={"id": "HAND", "tax_status": "taxable", "cash": "0.00"})
    case["securities"]["STK2"] = {
        "price": "100.00",
        "asset_class": "equity",
        "identical_group": "STK",
    }
    case["lots"][0]["cost_basis"] = "9000.00"

    result = result_to_dict(optimize_account(case))

    rules = {r["rule"]: r for r in result["summary"]["binding_rules"]}
    assert "wash_sale" in rules
    assert float(rules["wash_sale"]["objective_cost"]) > 0


def _box_qp() -> solvers_module.QP:
    """min (x0 - 1)^2 + (x1 - 2)^2 over a box, no other rows."""
    import scipy.sparse as sp

    empty = sp.csc_matrix((0, 2))
    return solvers_module.QP(
        P=sp.csc_matrix(2.0 * np.eye(2)),
        q=np.array([-2.0, -4.0]),
        A=empty,
        b=np.zeros(0),
        G=empty,
        h_l=np.zeros(0),
        h_u=np.zeros(0),
        x_l=np.zeros(2),
        x_u=np.full(2, 10.0),
    )


def _bounds(x_u: list[float]) -> solvers_module.Bounds:
    return solvers_module.Bounds(
        h_l=np.zeros(0), h_u=np.zeros(0), x_l=np.zeros(2), x_u=np.array(x_u)
    )


def test_a_session_answers_from_a_looser_problem_only_when_that_answer_fits() -> None:
    session = solvers_module.QPSession(qp=_box_qp())
    solves: list[object] = []
    solve = session._solve

    def counted(**kwargs: object) -> solvers_module.Solution:
        solves.append(kwargs)
        return solve(**kwargs)  # type: ignore[arg-type]

    session._solve = counted  # type: ignore[method-assign]

    open_answer = session.solve(bounds=_bounds([10.0, 10.0]))
    # the same bounds again, and tighter bounds the answer (1, 2) still meets: no solve
    again = session.solve(bounds=_bounds([10.0, 10.0]))
    tighter = session.solve(bounds=_bounds([5.0, 2.0]))
    assert len(solves) == 1
    np.testing.assert_allclose(again.x, open_answer.x)
    np.testing.assert_allclose(tighter.x, [1.0, 2.0], atol=1e-6)
    # tighter bounds that cut the answer off are solved
    cut = session.solve(bounds=_bounds([10.0, 1.5]))
    assert len(solves) == 2
    np.testing.assert_allclose(cut.x, [1.0, 1.5], atol=1e-6)


def _cap_relief(case: dict) -> tuple[Solved, RuleRelief]:
    _, solved = solve_valued(prep=prepare(case=parse_case(case)))
    reliefs = rule_reliefs(problem=solved.problem, base=solved.base, final=solved.final)
    (cap,) = [r for r in reliefs if r.rule == "gain_cap"]
    return solved, cap


def test_a_gain_cap_the_answer_sits_well_inside_is_priced_without_a_solve() -> None:
    # given a taxable rebalance whose only sale is a small gain, far inside the cap
    case = account(
        account={"id": "HAND", "tax_status": "taxable", "cash": "0.00"},
        target={"STK": "0.40", "BND": "0.60"},
    )
    case["preferences"]["tax"] = {"max_realized_gain": "900.00"}
    solved, cap = _cap_relief(case)

    # then lifting the cap cannot move the answer, and a solve without it agrees
    assert not_binding(final=solved.final, relief=cap.bounds, x=solved.x)
    without = solved.session.solve(bounds=cap.bounds).x
    np.testing.assert_allclose(without, solved.x, atol=1e-6)
    assert solve(case)["summary"]["binding_rules"] == []


def test_a_gain_cap_that_binds_is_re_solved_and_priced() -> None:
    # given the same rebalance with a cap below the gain the rebalance wants to realize
    case = account(
        account={"id": "HAND", "tax_status": "taxable", "cash": "0.00"},
        target={"STK": "0.20", "BND": "0.80"},
    )
    case["preferences"]["tax"] = {"max_realized_gain": "100.00"}
    solved, cap = _cap_relief(case)

    # then the cap is re-solved, and its cost is reported
    assert not not_binding(final=solved.final, relief=cap.bounds, x=solved.x)
    rules = {r["rule"]: r for r in solve(case)["summary"]["binding_rules"]}
    assert float(rules["gain_cap"]["objective_cost"]) > 0


def _restricted(symbol: str) -> dict:
    """A taxable rebalance out of STK into BND with a do-not-buy on `symbol`."""
    case = account(
        account={"id": "HAND", "tax_status": "taxable", "cash": "0.00"},
        target={"STK": "0.20", "BND": "0.80"},
    )
    case["preferences"]["restrictions"] = [{"symbol": symbol, "type": "do_not_buy"}]
    return case


def _restriction_ceiling(case: dict) -> tuple[float, float]:
    """The dual ceiling on what lifting the case's one restriction gains, and the gain a
    solve without it finds (dollars)."""
    _, solved = solve_valued(prep=prepare(case=parse_case(case)))
    problem, session = solved.problem, solved.session
    reliefs = rule_reliefs(problem=problem, base=solved.base, final=solved.final)
    (relief,) = [r for r in reliefs if r.rule == "restriction"]
    (ceiling,) = gain_ceilings(
        problem=problem, session=session, final=solved.final, x_final=solved.x, reliefs=[relief]
    )
    without = session.solve(bounds=relief.bounds).x
    gain = (problem.objective(x=solved.x) - problem.objective(x=without)) * problem.prep.value
    return ceiling, gain


def test_a_restriction_the_answer_would_not_use_is_priced_without_a_solve() -> None:
    # given a do-not-buy on the fund the rebalance sells
    case = _restricted("STK")

    # when
    ceiling, gain = _restriction_ceiling(case)

    # then the answer sits against it, yet the dual function shows that lifting it gains
    # nothing, as a solve without it confirms, and no cost is reported
    assert ceiling < 0.001
    assert gain < 0.001
    assert solve(case)["summary"]["binding_rules"] == []


def test_only_the_reliefs_priced_are_made() -> None:
    # given a restricted account with more than one rule that could bind
    case = _restricted("BND")
    case["preferences"]["tax"] = {"max_realized_gain": "900.00"}
    _, solved = solve_valued(prep=prepare(case=parse_case(case)))
    every = rule_reliefs(problem=solved.problem, base=solved.base, final=solved.final)
    assert len(every) >= 2

    # when only the first is asked for
    first = rule_reliefs(problem=solved.problem, base=solved.base, final=solved.final, most=1)

    # then it is the first of them all, with the same bounds
    assert [(r.rule, r.detail) for r in first] == [(every[0].rule, every[0].detail)]
    np.testing.assert_array_equal(first[0].bounds.x_u, every[0].bounds.x_u)


def test_a_restriction_that_binds_has_a_ceiling_above_its_cost() -> None:
    # given a do-not-buy on the fund the rebalance needs to buy
    case = _restricted("BND")

    # when
    ceiling, gain = _restriction_ceiling(case)

    # then its ceiling is no lower than what a solve without it gains, and it is costed
    assert gain > 1.0
    assert ceiling >= gain - 1e-6
    rules = {r["rule"]: r for r in solve(case)["summary"]["binding_rules"]}
    assert float(rules["restriction"]["objective_cost"]) > 1.0


def test_a_priced_session_that_takes_over_a_set_up_solves_as_a_fresh_one() -> None:
    # given a direct-index account, its problem at two prices of tracking error, and the
    # first price solved
    unpriced = build_problem(prep=prepare(case=direct_index_account(n_stocks=40)))
    bounds = base_bounds(problem=unpriced)
    first = priced_problem(problem=unpriced, limit_weight=0.5)
    second = priced_problem(problem=unpriced, limit_weight=2.0)
    donor = solvers_module.QPSession(qp=first.qp)
    x_first = donor.solve(bounds=bounds).x

    # when the second price's session takes over that set-up
    heir = solvers_module.QPSession(qp=second.qp, inherit=donor)
    x_second = heir.solve(bounds=bounds).x

    # then it answers the second price as a session of its own does, and the first
    # session, its set-up gone, still answers the first price (tighter bounds: a solve)
    fresh = solvers_module.QPSession(qp=second.qp).solve(bounds=bounds).x
    assert np.abs(x_second - fresh).max() < 1e-9
    assert np.abs(x_second - x_first).max() > 1e-6
    tighter = replace(
        bounds, x_u=np.minimum(bounds.x_u, np.where(x_first > 1e-6, x_first / 2, bounds.x_u))
    )
    again = donor.solve(bounds=tighter).x
    alone = solvers_module.QPSession(qp=first.qp).solve(bounds=tighter).x
    assert np.abs(again - alone).max() < 1e-9
