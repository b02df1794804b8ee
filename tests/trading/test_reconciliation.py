"""The custodian's statement against the ledger: breaks flagged, kept out of the night's
run, and resolved by a person with an audit record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from firms.models import AuditEvent
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, InvalidTransition, ValidationFailed
from trading.models import (
    CashBalance,
    Proposal,
    ProposalStatus,
    Reconciliation,
    ReconciliationStatus,
    Transaction,
)
from trading.selectors.reconciliation import accounts_on_hold
from trading.services.reconciliation import custodian_positions_import, ledger_positions
from trading.services.reconciliation_resolve import reconciliation_resolve
from trading.services.runs import run_start
from trading.tasks import enqueue_chunks

from .builders import AS_OF, small_book

ACTOR = Actor.system("test")


def _rows(number, positions, cash, as_of=AS_OF):
    rows = [
        {"account_number": number, "as_of": as_of.isoformat(), "symbol": s, "quantity": q}
        for s, q in positions.items()
    ]
    return rows + [
        {"account_number": number, "as_of": as_of.isoformat(), "symbol": "CASH", "quantity": cash}
    ]


def _breaks(firm):
    """Account 000 balances; account 001 has a missed fill (VTI 110 -> 112), a phantom
    position (BND the custodian does not hold) and an unreported dividend (+25.00 cash)."""
    _, _, accounts = small_book(firm=firm, accounts=2)
    rows = _rows(accounts[0].account_number, {"VTI": "100", "BND": "100"}, "2000.00")
    rows += _rows(accounts[1].account_number, {"VTI": "112"}, "2525.00")
    return accounts, rows


@pytest.mark.django_db(transaction=True)
def test_each_break_is_flagged_and_the_account_sits_out_the_nightly_run(firm_a):
    # given
    (good, broken), rows = _breaks(firm_a)

    # when
    imported = custodian_positions_import(firm=firm_a, actor=ACTOR, rows=rows)
    run_start(firm=firm_a, as_of=AS_OF, trigger="command", chunk_size=2, enqueue=enqueue_chunks)

    # then
    assert imported.out_of_balance == (broken.account_number,)
    flagged = Reconciliation.objects.get(account=broken)
    assert flagged.differences == [
        {"symbol": "BND", "ledger": "100", "custodian": "0", "difference": "-100"},
        {"symbol": "VTI", "ledger": "110", "custodian": "112", "difference": "2"},
        {"symbol": "CASH", "ledger": "2500", "custodian": "2525", "difference": "25"},
    ]
    assert Reconciliation.objects.get(account=good).status == ReconciliationStatus.BALANCED
    skipped = Proposal.objects.get(account=broken)
    assert skipped.status == ProposalStatus.FAILED
    assert "out_of_balance" in skipped.flags
    assert "out of balance with the custodian on 2025-06-30" in skipped.message
    assert Proposal.objects.get(account=good).status != ProposalStatus.FAILED


@pytest.mark.django_db
def test_importing_the_same_statement_twice_changes_nothing(firm_a):
    _, rows = _breaks(firm_a)
    custodian_positions_import(firm=firm_a, actor=ACTOR, rows=rows)
    before = list(Reconciliation.objects.order_by("pk").values())

    again = custodian_positions_import(firm=firm_a, actor=ACTOR, rows=rows)

    assert (again.unchanged, again.out_of_balance) == (2, ())
    assert list(Reconciliation.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_a_bad_file_names_row_and_field_and_stores_nothing(firm_a):
    (good, _), _ = _breaks(firm_a)
    number = good.account_number
    rows = [
        *_rows(number, {"VTI": "100"}, "2000.00"),
        {"account_number": number, "as_of": AS_OF.isoformat(), "symbol": "VTI", "quantity": "1"},
        {"account_number": "NOPE-1", "as_of": AS_OF.isoformat(), "symbol": "VTI", "quantity": "1"},
        {"account_number": number, "as_of": AS_OF.isoformat(), "symbol": "ZZZ", "quantity": "1"},
        {"account_number": number, "as_of": AS_OF.isoformat(), "symbol": "BND", "quantity": "x"},
    ]

    with pytest.raises(ValidationFailed) as caught:
        custodian_positions_import(firm=firm_a, actor=ACTOR, rows=rows)

    assert [(row, field) for row, field, _ in caught.value.errors] == [
        (3, "symbol"),
        (4, "account_number"),
        (5, "symbol"),
        (6, "quantity"),
    ]
    assert "repeats row 1" in caught.value.errors[0][2]
    assert not Reconciliation.objects.exists()


@pytest.mark.django_db
def test_accepting_the_custodians_figures_adjusts_the_ledger_and_is_audited(firm_a):
    (_, broken), rows = _breaks(firm_a)
    custodian_positions_import(firm=firm_a, actor=ACTOR, rows=rows)
    flagged = Reconciliation.objects.get(account=broken)

    reconciliation_resolve(
        firm=firm_a, actor=ACTOR, reconciliation_id=flagged.pk, accept=True, note="fill late"
    )

    # a sale of the 100 phantom BND at $72 and a buy of the 2 missed VTI at $300
    adjusting = Transaction.objects.filter(account=broken, external_id__startswith="RECON-")
    assert sorted((t.security.symbol, t.type, t.quantity, t.amount_usd) for t in adjusting) == [
        ("BND", "sell", Decimal("100"), Decimal("7200.00")),
        ("VTI", "buy", Decimal("2"), Decimal("600.00")),
    ]
    assert ledger_positions(firm=firm_a, account=broken) == {"VTI": Decimal("112")}
    assert CashBalance.objects.get(account=broken).amount_usd == Decimal("2525.00")
    assert accounts_on_hold(firm=firm_a, account_ids=[broken.pk]) == {}
    event = AuditEvent.objects.get(action="reconciliation.accept")
    assert (event.before or {})["status"] == "out_of_balance"
    assert (event.after or {})["status"] == "accepted"
    assert (event.after or {})["note"] == "fill late"


@pytest.mark.django_db
def test_a_pending_item_stays_on_hold_until_accepted(firm_a):
    (good, broken), rows = _breaks(firm_a)
    custodian_positions_import(firm=firm_a, actor=ACTOR, rows=rows)
    flagged = Reconciliation.objects.get(account=broken)

    reconciliation_resolve(firm=firm_a, actor=ACTOR, reconciliation_id=flagged.pk, accept=False)

    assert (
        "pending with the custodian"
        in accounts_on_hold(firm=firm_a, account_ids=[broken.pk])[broken.pk]
    )
    assert AuditEvent.objects.filter(action="reconciliation.pending").count() == 1
    balanced = Reconciliation.objects.get(account=good)
    with pytest.raises(InvalidTransition):
        reconciliation_resolve(firm=firm_a, actor=ACTOR, reconciliation_id=balanced.pk, accept=True)


@pytest.mark.django_db
def test_another_firm_cannot_see_or_resolve_a_reconciliation(firm_a, firm_b):
    (_, broken), rows = _breaks(firm_a)
    custodian_positions_import(firm=firm_a, actor=ACTOR, rows=rows)
    flagged = Reconciliation.objects.get(account=broken)

    with pytest.raises(DomainError, match="Not found"):
        reconciliation_resolve(firm=firm_b, actor=ACTOR, reconciliation_id=flagged.pk, accept=True)

    assert accounts_on_hold(firm=firm_b, account_ids=[broken.pk]) == {}
    assert Reconciliation.objects.get(pk=flagged.pk).status == ReconciliationStatus.OUT_OF_BALANCE


@pytest.mark.django_db
def test_a_statement_for_a_future_day_is_refused(firm_a):
    (good, _), _ = _breaks(firm_a)
    later = dt.date.today() + dt.timedelta(days=3)

    with pytest.raises(ValidationFailed) as caught:
        custodian_positions_import(
            firm=firm_a, actor=ACTOR, rows=_rows(good.account_number, {}, "1", as_of=later)
        )

    assert caught.value.errors[0][:2] == (1, "as_of")
