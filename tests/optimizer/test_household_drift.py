"""A household managed as one, whose target holds funds only, keeps its effective drift
where it starts unless an account's cash need forces it up (`optimizer/household_drift.py`).

The household of `test_household.py`: three $100,000 accounts on a target of a third in
each of three funds, 1 % cash; asset location moves each fund into one account.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import optimizer.household as household_module
from optimizer.household import optimize_household
from tests.optimizer.test_household import account, household, three, wash_sales

TOLERANCE = Decimal("0.0010")


def test_the_tracking_optimal_answer_raises_household_drift_and_the_held_one_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given the household on its target: the answer that only prices tracking error and
    # location also puts the accounts' cash into the broad stock fund
    cases = three()
    with monkeypatch.context() as patched:
        patched.setattr(household_module, "household_cap", lambda **_: None)
        free = optimize_household(household(*cases))
    assert free.summary is not None
    assert free.summary.drift_before == Decimal("0.0000")
    assert free.summary.drift_after > TOLERANCE

    # when the household's drift is held
    result = optimize_household(household(*cases))

    # then it stays within whole shares of where it starts, unflagged, and location still
    # moves the funds (the yearly tax of where they sit falls from $2,348.70 to about $1,343)
    assert result.status == "optimal", result.message
    summary = result.summary
    assert summary is not None
    assert summary.drift_after <= summary.drift_before + TOLERANCE
    assert "drift_forced" not in summary.flags
    assert all(
        "drift_forced" not in (r.summary.flags if r.summary else ()) for r in result.accounts
    )
    assert summary.location_tax_before == Decimal("2348.70")
    assert Decimal("1300") < summary.location_tax_after < Decimal("1400")
    assert summary.tracking_error_after_pct <= Decimal("0.5")
    assert all(r.cash_after is not None and r.cash_after >= 0 for r in result.accounts)
    assert wash_sales(cases, result.accounts) == []


def test_a_withdrawal_that_raises_household_drift_is_flagged_naming_its_account() -> None:
    # given the household on its target, the IRA withdrawing $10,000 (3.33 % of the
    # household)
    cases = (
        account("TAX", "taxable"),
        account("IRA", "tax_deferred", withdrawal="10000"),
        account("ROTH", "tax_exempt"),
    )

    # when
    result = optimize_household(household(*cases))

    # then the withdrawal's cash is raised and drift rises, by no more than it
    assert result.status == "optimal", result.message
    summary = result.summary
    assert summary is not None
    rise = summary.drift_after - summary.drift_before
    assert Decimal("0") < rise <= Decimal("0.0334") + TOLERANCE
    ira = next(r for r in result.accounts if r.account == "IRA")
    assert ira.cash_after is not None and ira.cash_after >= Decimal("10000")
    # and the household and every account are flagged, naming the IRA's withdrawal and
    # the drift it costs
    assert "drift_forced" in summary.flags
    for answer in result.accounts:
        assert answer.summary is not None
        assert "drift_forced" in answer.summary.flags
        [rule] = [r for r in answer.summary.binding_rules if r.rule == "cash_need"]
        assert rule.detail == "account IRA: withdrawal $10,000.00"
        assert rule.forced_drift
        assert rule.drift_cost == rise
