"""``manage.py bench_demo_outcomes``: which proposals leave an account further from its
model by its own measure (tracking error in %/yr, the household's for an account of a
household managed as one), and why: forced by a rule, paid for in the same proposal (tax
saved by realized losses, a cash need, a household's asset location), or unexplained."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Mapping
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from benchmarks.demo_outcomes import (
    CASH_NEED,
    DIRECT_INDEX,
    DRIFT_FORCED,
    FUND,
    HOUSEHOLD,
    LOCATION,
    LOSS_HARVEST,
    PAID,
    UNFORCED,
    night_figures,
)
from rebalancer.rowsecurity import firm_scope
from tests.factories import AccountFactory, HouseholdFactory
from trading.models import HouseholdProposal, Proposal, ProposalStatus, Run

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 6, 30)


def _summary(
    *, te: tuple[str, str], drift: tuple[str, str], limit: str = "0.5", tax: str = "0.00", **extra
) -> dict[str, Any]:
    return {
        "tracking_error_before_pct": te[0],
        "tracking_error_after_pct": te[1],
        "tracking_error_limit_pct": limit,
        "drift_before": drift[0],
        "drift_after": drift[1],
        "estimated_tax": tax,
        "flags": [],
    } | extra


def _proposal(
    firm,
    run: Run,
    number: str,
    summary: dict[str, Any] | None,
    *,
    household=None,
    household_proposal: HouseholdProposal | None = None,
    cash_min: str = "0.00",
    cash_before: str = "1000.00",
    withdrawal: str = "0.00",
    status: str = ProposalStatus.PENDING_REVIEW,
    reasons: tuple[str, ...] = ("rebalance",),
    sectors: Mapping[str, str | None] | None = None,
) -> Proposal:
    account = AccountFactory(
        household=household or HouseholdFactory(firm=firm), account_number=number
    )
    stored = {
        "preferences": {"cash": {"min": cash_min, "withdrawal": withdrawal}},
        "target": {symbol: "0.5" for symbol in sectors or {}},
        "securities": {symbol: {"sector": sector} for symbol, sector in (sectors or {}).items()},
    }
    trade = {"symbol": "VTI", "side": "sell", "reasons": list(reasons), "reason_details": []}
    result: dict[str, Any] = {"status": "optimal", "trades": [trade]}
    if summary is not None:
        result["summary"] = summary
    return Proposal.objects.create(
        firm=firm,
        account=account,
        run=run,
        household_proposal=household_proposal,
        as_of=AS_OF,
        status=status,
        optimizer_status="optimal" if summary is not None else "error",
        flags=list((summary or {}).get("flags") or []),
        cash_before_usd=Decimal(cash_before),
        withdrawal_usd=Decimal(withdrawal),
        result=result,
        input_blob=zlib.compress(json.dumps(stored).encode()),
    )


def _household(firm, run: Run, summary: dict[str, Any]):
    household = HouseholdFactory(firm=firm)
    grouped = HouseholdProposal.objects.create(
        firm=firm,
        household=household,
        run=run,
        as_of=AS_OF,
        status="pending_review",
        optimizer_status="optimal",
        flags=list(summary.get("flags") or []),
        summary=summary,
    )
    return household, grouped


def _night(firm_a) -> Run:
    """One run with a proposal for each way a proposal can move its account."""
    run = Run.objects.create(firm=firm_a, as_of=AS_OF, trigger="command")
    # drift up, tracking error down: closer by its own measure
    _proposal(firm_a, run, "A-CLOSER", _summary(te=("0.80", "0.40"), drift=("0.02", "0.05")))
    # a managed household whose drift rises and tracking error falls: both its accounts
    lower = _summary(
        te=("0.90", "0.45"),
        drift=("0.03", "0.06"),
        location_tax_before="900.00",
        location_tax_after="800.00",
    )
    home, grouped = _household(firm_a, run, lower)
    for number in ("H1-TAXABLE", "H1-IRA"):
        _proposal(firm_a, run, number, lower, household=home, household_proposal=grouped)
    # tracking error up: a rule forced it (above the limit, no payment needed)
    forced = _summary(te=("0.40", "1.90"), drift=("0.02", "0.09"), flags=[DRIFT_FORCED])
    _proposal(firm_a, run, "B-FORCED", forced, reasons=("screen",))
    # tracking error up, paid by a loss harvest, inside the limit
    harvest = _summary(te=("0.20", "0.45"), drift=("0.02", "0.04"), tax="-1200.00")
    _proposal(firm_a, run, "C-HARVEST", harvest, reasons=("tax_loss_harvest", "tax_swap"))
    # tracking error up to meet a withdrawal: cash $1,000, minimum $500, withdrawal $2,000
    cash = _summary(te=("0.10", "0.30"), drift=("0.01", "0.02"))
    _proposal(
        firm_a,
        run,
        "D-CASH",
        cash,
        cash_min="500.00",
        withdrawal="2000.00",
        reasons=("raise_cash",),
    )
    # a managed household that raises tracking error for asset location; one of its three
    # accounts also has a cash need ($300 short of its minimum), which pays for the whole;
    # a loss in one taxable account is less than the gain in the other: no tax saved
    located = _summary(
        te=("0.15", "0.35"),
        drift=("0.02", "0.05"),
        tax="50.00",
        location_tax_before="1000.00",
        location_tax_after="700.00",
    )
    home, grouped = _household(firm_a, run, located)
    for number, tax, cash_min in (
        ("H2-TAXABLE", "-400.00", "0.00"),
        ("H2-JOINT", "450.00", "0.00"),
        ("H2-ROTH", "0.00", "1300.00"),
    ):
        # each account's summary has its own tax, and the household's tracking error
        own = located | {"estimated_tax": tax}
        _proposal(
            firm_a, run, number, own, household=home, household_proposal=grouped, cash_min=cash_min
        )
    # tracking error up, a loss harvested, but it ends above its limit (+0.06 tolerance)
    above = _summary(te=("0.40", "0.60"), drift=("0.02", "0.03"), tax="-500.00")
    _proposal(firm_a, run, "E-ABOVE", above)
    # tracking error up, nothing pays for it: tax paid, no cash need
    unpaid = _summary(te=("0.20", "0.30"), drift=("0.02", "0.03"), tax="80.00")
    _proposal(firm_a, run, "F-UNPAID", unpaid, cash_min="500.00")
    # no trades: tracking error unchanged; a failed proposal has no figures
    same = _summary(te=("0.30", "0.30"), drift=("0.02", "0.02"))
    _proposal(firm_a, run, "G-NONE", same, status=ProposalStatus.NO_TRADES, reasons=())
    _proposal(firm_a, run, "G-FAILED", None, status=ProposalStatus.FAILED)
    return run


def test_each_raise_of_tracking_error_is_forced_paid_or_unexplained(firm_a):
    # given a night with a proposal for each case
    run = _night(firm_a)

    # when its figures are taken
    with firm_scope(firm_a):
        figures = night_figures(firm=firm_a, run=run, tolerance_pct=Decimal("0.06"))

    # then all but the failed one and the one with no trades raise effective drift, the
    # forced one apart; three of those lower tracking error, two in a managed household
    assert figures.proposals == 13 and figures.failed == 1 and figures.no_trades == 1
    assert figures.drift_raised == 11 and figures.drift_raised_unforced == 10
    assert figures.drift_raised_tracking_lower == 3
    assert figures.drift_raised_tracking_lower_household == 2
    # and eight raise their own tracking error: one forced, five paid, two unexplained
    assert len(figures.tracking_raised) == 8
    assert [r.account for r in figures.raised(DRIFT_FORCED)] == ["B-FORCED"]
    assert [r.account for r in figures.paid_by(LOSS_HARVEST)] == ["C-HARVEST"]
    household = ["H2-JOINT", "H2-ROTH", "H2-TAXABLE"]
    assert [r.account for r in figures.paid_by(CASH_NEED)] == ["D-CASH", *household]
    assert [r.account for r in figures.paid_by(LOCATION)] == household
    assert len(figures.raised("paid")) == 5
    by_account = {r.account: r for r in figures.tracking_raised}
    assert [p.amount for p in by_account["D-CASH"].paid_by] == [Decimal("1500.00")]
    assert {p.kind: p.amount for p in by_account["H2-TAXABLE"].paid_by} == {
        CASH_NEED: Decimal("300.00"),
        LOCATION: Decimal("300.00"),
    }
    unexplained = {r.account: r.why_unexplained for r in figures.raised("unexplained")}
    assert unexplained == {
        "E-ABOVE": "ends above its limit",
        "F-UNPAID": "nothing pays for it (no tax saved, no cash need, no location gain)",
    }


def _report(firm) -> str:
    """What `bench_demo_outcomes` prints for the firm's latest run."""
    out = StringIO()
    call_command("bench_demo_outcomes", firm=firm.slug, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_split_and_lists_the_unexplained(firm_a):
    # given the same night as the firm's latest run
    _night(firm_a)

    # when the command reports it
    text = _report(firm_a)

    # then it prints each figure and names the unexplained accounts with their figures
    assert "raise effective drift                      11, 10 not flagged drift_forced" in text
    assert "unflagged, lowering tracking error     3 (2 in managed households" in text
    assert "raise their own tracking error             8" in text
    assert "... flagged drift_forced                   1" in text
    assert "... paid for, inside their limit           5" in text
    assert "by loss harvest           1  ($1,200.00 tax saved)" in text
    assert "by cash need              4  ($2,400.00 needed)" in text
    assert "by household location     3  ($900.00/yr tax saved)" in text
    assert "... unexplained                            2" in text
    assert "F-UNPAID: tracking error 0.20% -> 0.30%/yr (limit 0.5%)" in text
    assert "E-ABOVE: tracking error 0.40% -> 0.60%/yr (limit 0.5%)" in text
    assert "trade reasons rebalance" in text


FUNDS = {"VTI": None, "BND": None}
STOCKS = {"XOM": "Energy", "AAPL": "Information Technology"}


def _measured_night(firm_a) -> tuple[Run, HouseholdProposal]:
    """Fund accounts, a direct index and a managed household, each by its own measure."""
    run = Run.objects.create(firm=firm_a, as_of=AS_OF, trigger="command")
    up = _summary(te=("0.80", "0.40"), drift=("0.02", "0.05"))
    _proposal(firm_a, run, "FUND-UP", up, sectors=FUNDS)
    cash = _summary(te=("0.10", "0.20"), drift=("0.01", "0.04"), flags=[DRIFT_FORCED])
    _proposal(firm_a, run, "FUND-CASH", cash, sectors=FUNDS, withdrawal="500.00")
    down = _summary(te=("0.10", "0.30"), drift=("0.04", "0.03"))
    _proposal(firm_a, run, "FUND-DOWN", down, sectors=FUNDS)
    harvest = _summary(te=("0.50", "0.90"), drift=("0.10", "0.20"), limit="1.0", tax="-500.00")
    _proposal(firm_a, run, "DI-HARVEST", harvest, sectors=STOCKS)
    held = _summary(te=("0.60", "0.45"), drift=("0.03", "0.06"))
    home, grouped = _household(firm_a, run, held)
    _proposal(firm_a, run, "H-IRA", held, household=home, household_proposal=grouped)
    return run, grouped


def test_each_account_is_judged_by_its_own_measure(firm_a):
    # given fund accounts, a direct index and an account of a managed household
    run, grouped = _measured_night(firm_a)

    # when its figures are taken
    with firm_scope(firm_a):
        figures = night_figures(firm=firm_a, run=run, tolerance_pct=Decimal("0.06"))

    # then a fund account is judged by its drift, a direct index by its tracking error
    # (paid inside its limit), the household's account by the household's tracking error
    assert figures.kinds == {FUND: 3, DIRECT_INDEX: 1, HOUSEHOLD: 1}
    assert [(f.account, f.kind, f.category) for f in figures.further] == [
        ("DI-HARVEST", DIRECT_INDEX, PAID),
        ("FUND-CASH", FUND, DRIFT_FORCED),
        ("FUND-UP", FUND, UNFORCED),
    ]
    assert figures.household_drift_up == {(grouped.household_id, "H-IRA")}


def test_the_command_lists_what_leaves_an_account_further_without_a_rule(firm_a):
    # given the same night as the firm's latest run
    _measured_night(firm_a)

    # when the command reports it
    text = _report(firm_a)

    # then each kind has its line, and the fund account with no forcing rule is listed
    assert "fund (effective drift)" in text
    assert "2 of   3: 1 flagged drift_forced, 1 without a forcing rule" in text
    assert "1 of   1: 0 flagged drift_forced, 1 paid, inside limit, 0 without a" in text
    assert "... without a forcing rule, not paid       1" in text
    assert "FUND-UP (fund): effective drift 2.00% -> 5.00%" in text


def test_drift_up_without_a_flag_is_counted_by_drift_alone_and_harvests_apart(firm_a):
    # given the same night, and a direct index whose harvest's drift is flagged as forced
    # by the wash-sale rule
    run, _ = _measured_night(firm_a)
    named = {
        "rule": "wash_sale",
        "detail": "loss harvest: $20,000.00 of loss lots sold in 3 stocks, $4,000.00 of tax "
        "saved; not bought back until after 2025-07-30",
        "forced_drift": True,
    }
    flagged = _summary(
        te=("0.50", "0.95"),
        drift=("0.10", "0.22"),
        limit="1.0",
        tax="-4000.00",
        flags=[DRIFT_FORCED],
        binding_rules=[named],
    )
    _proposal(firm_a, run, "DI-FLAGGED", flagged, sectors=STOCKS)

    # when
    with firm_scope(firm_a):
        figures = night_figures(firm=firm_a, run=run, tolerance_pct=Decimal("0.06"))
    text = _report(firm_a)

    # then every account whose drift rises unflagged is counted, whatever its own measure,
    # and the flagged harvest is shown with its rise and tax saved
    assert figures.drift_up_unflagged == ["DI-HARVEST", "FUND-UP", "H-IRA"]
    assert figures.harvest_forced == [("DI-FLAGGED", Decimal("0.12"), Decimal("4000.00"))]
    assert "not flagged drift_forced (any account, by drift alone): 3" in text
    assert "DI-HARVEST, FUND-UP, H-IRA" in text
    assert (
        "drift_forced by the wash-sale rule after a loss harvest (direct index): 1, "
        "drift +12.00% to +12.00%, $4,000.00 tax saved"
    ) in text
