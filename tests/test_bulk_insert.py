"""``rebalancer.bulk_insert`` writes the rows ``bulk_create`` writes (on PostgreSQL through
its own statement, elsewhere through ``bulk_create`` itself)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rebalancer.bulk_insert import insert_instances, insert_rows
from rebalancer.rowsecurity import firm_scope
from tests.factories import AccountFactory, SecurityFactory
from trading.models import HouseholdProposal, Proposal, ProposedTrade

AS_OF = dt.date(2026, 3, 2)
SKIPPED = {"id", "account_id", "created_at"}


def _proposal(firm, account, **values) -> Proposal:
    given = {
        "result": {"trades": [{"quantity": "1.5", "reasons": ["rebalance"]}], "nested": {"a": None}}
    }
    return Proposal(
        firm=firm,
        account=account,
        as_of=AS_OF,
        status="pending_review",
        flags=["turnover_above_threshold", 'say "é" \\ here'],
        optimizer_status="optimal",
        message='a "quoted" message, \\ with a backslash and ünïcode',
        total_value_usd=Decimal("1234.5"),
        drift_before=Decimal("0.123456"),  # more places than the field keeps
        turnover=Decimal("0.25"),
        binding_rules=[],
        input_blob=bytes(range(256)),
        input_sha256="ab" * 32,
        **(given | values),
    )


def _stored(proposals: list[Proposal]) -> list[dict]:
    rows = Proposal.objects.filter(pk__in=[p.pk for p in proposals]).order_by("pk").values()
    plain = [{k: bytes(v) if isinstance(v, memoryview) else v for k, v in r.items()} for r in rows]
    return [{k: v for k, v in row.items() if k not in SKIPPED} for row in plain]


@pytest.mark.django_db
def test_instances_are_stored_as_bulk_create_stores_them(firm_a):
    # given the same two proposals (one with nulls) for two pairs of accounts
    accounts = [AccountFactory(household__firm=firm_a) for _ in range(4)]
    with firm_scope(firm_a):
        made = [
            [_proposal(firm_a, accounts[i]), _proposal(firm_a, accounts[i + 1], result=None)]
            for i in (0, 2)
        ]
        # when one pair goes through bulk_create and the other through insert_instances
        Proposal.objects.bulk_create(made[0])
        insert_instances(made[1])
        # then each instance has its new key, and the stored rows are the same
        assert all(p.pk is not None and not p._state.adding for p in made[1])
        assert _stored(made[1]) == _stored(made[0])
        assert _stored(made[1])[1]["result"] is None
        stamps = Proposal.objects.filter(pk__in=[p.pk for p in made[1]]).values_list(
            "created_at", flat=True
        )
        assert all(stamp is not None for stamp in stamps)


@pytest.mark.django_db
def test_rows_get_their_defaults_and_keys_in_order(firm_a):
    # given a saved proposal and three trade rows that leave out the fields with defaults
    account = AccountFactory(household__firm=firm_a)
    security = SecurityFactory(symbol="VTI")
    with firm_scope(firm_a):
        proposal = Proposal.objects.create(
            firm=firm_a, account=account, as_of=AS_OF, status="pending_review"
        )
        rows = [
            {
                "firm_id": firm_a.pk,
                "proposal_id": proposal.pk,
                "security_id": security.pk,
                "side": side,
                "quantity": Decimal(quantity),
                "price": Decimal("250.125"),
                "value_usd": Decimal("500.25"),
                "reasons": ["rebalance"],
                "lots": [{"lot": "T1", "gain": "-1.00"}] if side == "sell" else [],
            }
            for side, quantity in (("sell", "2"), ("buy", "0.5"), ("buy", "3"))
        ]
        # when
        ids = insert_rows(ProposedTrade, rows)
        # then the keys come back in the rows' order, with the model's defaults filled in
        stored = {t.pk: t for t in ProposedTrade.objects.filter(pk__in=ids)}
        assert [stored[pk].quantity for pk in ids] == [Decimal("2"), Decimal("0.5"), Decimal("3")]
        first = stored[ids[0]]
        assert first.lots == [{"lot": "T1", "gain": "-1.00"}]
        assert first.filled_quantity == Decimal("0")
        assert first.held is False
        assert first.original_quantity is None
        assert first.order_id is None
        assert first.realized_gain_usd == 0


@pytest.mark.django_db
def test_an_unknown_field_is_refused(firm_a):
    with pytest.raises(ValueError, match="ProposedTrade has no field colour"):
        insert_rows(ProposedTrade, [{"colour": "red"}])


@pytest.mark.django_db
def test_a_related_object_saved_after_it_was_assigned_gives_its_key(firm_a):
    # given a proposal whose household proposal is assigned unsaved, then saved
    account = AccountFactory(household__firm=firm_a)
    with firm_scope(firm_a):
        household = HouseholdProposal(
            firm=firm_a, household=account.household, as_of=AS_OF, status="pending_review"
        )
        proposal = _proposal(firm_a, account, household_proposal=household)
        household.save()
        # when
        insert_instances([proposal])
        # then
        stored = Proposal.objects.get(pk=proposal.pk)
        assert stored.household_proposal_id == household.pk
