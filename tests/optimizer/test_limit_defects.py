"""Counterexamples that the tracking-error property test found, kept as cases of their own.

Each is a random case (with its risk-model seed and limits) on which the answer breaks a
promise of the objective: a sector limit left beyond where the account started without a
`drift_forced` flag, or objective figures (lower bound, rule costs) inflated by the limit's
penalty re-solve into billions of dollars. Each was an open defect once and is fixed; they
stay as cases so that none comes back.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np

from optimizer import optimize_account, result_to_dict
from tests.optimizer.test_tracking_error import _risk_section
from tests.optimizer.test_tracking_error import (
    test_every_optimal_answer_keeps_its_limits_or_says_what_forced_it as property_test,
)

DATA = Path(__file__).parent / "data"
check = property_test.hypothesis.inner_test  # type: ignore[attr-defined]


def _run(name: str) -> None:
    d = json.loads((DATA / name).read_text())
    check(
        case=d["case"],
        seed=d["seed"],
        limit=d["limit"],
        sector_limit=d["sector_limit"],
        with_model=d["with_model"],
    )


def test_a_sector_limit_the_account_cannot_meet_is_flagged() -> None:
    _run("limit_defect_sector.json")


def test_the_lower_bound_is_in_the_accounts_own_dollars() -> None:
    d = json.loads((DATA / "limit_defect_scaling.json").read_text())
    case = copy.deepcopy(d["case"])
    if d["with_model"]:
        case["risk_model"] = _risk_section(case, np.random.default_rng(d["seed"]))
    case.setdefault("preferences", {})["risk"] = {
        "tracking_error_limit_pct": d["limit"],
        "sector_limit_pct": d["sector_limit"],
    }
    result = result_to_dict(optimize_account(case))
    assert result["status"] == "optimal"
    value = float(case["account"]["cash"]) + sum(
        float(lot["quantity"]) * float(case["securities"][lot["symbol"]]["price"])
        for lot in case["lots"]
    )
    lower = float(result["summary"]["lower_bound"])
    assert abs(lower) <= value, f"lower bound ${lower:,.0f} on a ${value:,.0f} account"
