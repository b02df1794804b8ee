"""Property tests: random accounts, every invariant of the contract on every answer."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from optimizer import optimize_account, result_to_dict
from tests.optimizer.generators import cases
from tests.optimizer.invariants import check_invariants


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_every_optimal_answer_meets_all_nine_invariants(case: dict) -> None:
    # when
    result = result_to_dict(optimize_account(case))

    # then
    assert result["status"] in ("optimal", "infeasible"), result["message"]
    if result["status"] == "infeasible":
        assert result["message"] and not result["trades"]
    assert check_invariants(case, result) == []
