"""Each kind of break on an account of its own: a fill the ledger missed, a dividend it
was not told of, a position the custodian does not hold. Each account is flagged with
just its difference and sits out the night's run; the balanced one is optimized."""

from __future__ import annotations

import pytest

from rebalancer.actors import Actor
from trading.models import Proposal, ProposalStatus, Reconciliation, ReconciliationStatus
from trading.services.reconciliation import custodian_positions_import
from trading.services.runs import run_start
from trading.tasks import enqueue_chunks

from .builders import AS_OF, small_book

ACTOR = Actor.system("test")


def _rows(number, positions):
    return [
        {"account_number": number, "as_of": AS_OF.isoformat(), "symbol": s, "quantity": q}
        for s, q in positions.items()
    ]


@pytest.mark.django_db(transaction=True)
def test_a_missing_fill_an_unreported_dividend_and_a_phantom_are_each_flagged_and_skipped(
    firm_a,
):
    # given four accounts: VTI 100/110/120/130, BND 100, cash 2000/2500/3000/3500
    _, _, (balanced, missed_fill, dividend, phantom) = small_book(firm=firm_a, accounts=4)
    rows = _rows(balanced.account_number, {"VTI": "100", "BND": "100", "CASH": "2000.00"})
    # the custodian filled a buy of 5 VTI for $1,500 that the ledger never heard of
    rows += _rows(missed_fill.account_number, {"VTI": "115", "BND": "100", "CASH": "1000.00"})
    # a dividend of $42.50 was paid into the account
    rows += _rows(dividend.account_number, {"VTI": "120", "BND": "100", "CASH": "3042.50"})
    # the ledger holds 100 BND the custodian does not
    rows += _rows(phantom.account_number, {"VTI": "130", "CASH": "3500.00"})

    # when the statement comes in and the night's run starts
    imported = custodian_positions_import(firm=firm_a, actor=ACTOR, rows=rows)
    run_start(firm=firm_a, as_of=AS_OF, trigger="command", chunk_size=4, enqueue=enqueue_chunks)

    # then each broken account is flagged with exactly its break
    assert set(imported.out_of_balance) == {
        missed_fill.account_number,
        dividend.account_number,
        phantom.account_number,
    }
    differences = {
        r.account_id: r.differences
        for r in Reconciliation.objects.filter(status=ReconciliationStatus.OUT_OF_BALANCE)
    }
    assert differences == {
        missed_fill.pk: [
            {"symbol": "VTI", "ledger": "110", "custodian": "115", "difference": "5"},
            {"symbol": "CASH", "ledger": "2500", "custodian": "1000", "difference": "-1500"},
        ],
        dividend.pk: [
            {"symbol": "CASH", "ledger": "3000", "custodian": "3042.5", "difference": "42.5"}
        ],
        phantom.pk: [{"symbol": "BND", "ledger": "100", "custodian": "0", "difference": "-100"}],
    }
    # and each sits out the night with the reason; the balanced account is optimized
    for account in (missed_fill, dividend, phantom):
        skipped = Proposal.objects.get(account=account)
        assert skipped.status == ProposalStatus.FAILED
        assert "out_of_balance" in skipped.flags
        assert "out of balance with the custodian" in skipped.message
    assert Proposal.objects.get(account=balanced).status != ProposalStatus.FAILED
