"""Corporate actions entered once and applied to every firm's books, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from firms.models import AuditEvent
from models_library.models import CorporateAction, Price
from models_library.selectors.adjusted_prices import adjusted_closes
from models_library.services.corporate_actions import corporate_actions_enter
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed
from tests.factories import AccountFactory, FirmFactory, HouseholdFactory, SecurityFactory
from trading.models import CashBalance, CorporateActionApplication, RealizedGain, TaxLot
from trading.services.corporate_actions import corporate_actions_apply_due
from trading.services.lot_ledger import transactions_record

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


@pytest.fixture
def steward(db):
    return FirmFactory(name="Reference Stewards", slug="stewards", manages_reference_data=True)


@pytest.fixture
def securities(db):
    return {s: SecurityFactory(symbol=s, identical_group="") for s in ("ACME", "SPIN", "NEWCO")}


def _account(firm, number):
    return AccountFactory(household=HouseholdFactory(firm=firm), account_number=number)


def _buy(firm, account, external_id, date, quantity, amount, symbol="ACME"):
    row = {
        "external_id": external_id,
        "date": date,
        "type": "buy",
        "symbol": symbol,
        "quantity": quantity,
        "amount_usd": amount,
    }
    transactions_record(firm=firm, account=account, rows=[row], actor=ACTOR)


def _sell(firm, account, external_id, date, quantity, amount, symbol="ACME"):
    row = {
        "external_id": external_id,
        "date": date,
        "type": "sell",
        "symbol": symbol,
        "quantity": quantity,
        "amount_usd": amount,
    }
    transactions_record(firm=firm, account=account, rows=[row], actor=ACTOR)


def _lots(firm, account):
    return [
        (lot.lot_ref, lot.security.symbol, lot.quantity, lot.cost_basis_usd, lot.acquired)
        for lot in TaxLot.objects.for_firm(firm).filter(account=account).order_by("id")
    ]


SPLIT = {
    "reference": "ACME-2025-SPLIT",
    "kind": "split",
    "symbol": "ACME",
    "effective_date": dt.date(2025, 6, 2),
    "ratio": "3:2",
    "price": Decimal("70"),
}


def test_a_split_is_applied_to_every_firms_lots_once_with_an_audit_record_per_firm(
    firm_a, firm_b, steward, securities
):
    # given two firms holding ACME: 100 shares at $100, and 101 shares
    a, b = _account(firm_a, "A-1"), _account(firm_b, "B-1")
    _buy(firm_a, a, "a1", dt.date(2025, 1, 2), Decimal("100"), Decimal("10000.00"))
    _buy(firm_b, b, "b1", dt.date(2025, 1, 2), Decimal("101"), Decimal("10100.00"))
    corporate_actions_enter(firm=steward, actor=ACTOR, rows=[SPLIT])

    # when each firm applies what is due, twice
    for firm in (firm_a, firm_b, firm_a, firm_b):
        corporate_actions_apply_due(firm=firm, actor=ACTOR)

    # then 150 shares for the same $10,000 basis and date; B's half share paid at $70
    assert _lots(firm_a, a) == [
        ("a1", "ACME", Decimal("150"), Decimal("10000.00"), dt.date(2025, 1, 2))
    ]
    assert _lots(firm_b, b) == [
        ("b1", "ACME", Decimal("151"), Decimal("10066.67"), dt.date(2025, 1, 2))
    ]
    gain = RealizedGain.objects.for_firm(firm_b).get()
    assert (gain.sale_ref, gain.proceeds_usd, gain.cost_basis_usd) == (
        "ca:ACME-2025-SPLIT/B-1",
        Decimal("35.00"),
        Decimal("33.33"),
    )
    assert CashBalance.objects.for_firm(firm_b).get(account=b).amount_usd == Decimal("35.00")
    applications = CorporateActionApplication.objects.order_by("firm_id")
    assert [(x.firm_id, x.households) for x in applications] == [(firm_a.pk, 1), (firm_b.pk, 1)]
    for firm in (firm_a, firm_b):
        assert AuditEvent.objects.filter(firm=firm, action="corporate_action.apply").count() == 1


def test_a_cash_dividend_is_credited_once_and_not_before_its_pay_date(firm_a, steward, securities):
    a = _account(firm_a, "A-1")
    _buy(firm_a, a, "a1", dt.date(2025, 1, 2), Decimal("100"), Decimal("5000.00"))
    CashBalance.objects.create(
        firm=firm_a, account=a, amount_usd=Decimal("10.00"), as_of=dt.date(2025, 1, 2)
    )
    paid = {
        "reference": "ACME-Q1",
        "kind": "cash_dividend",
        "symbol": "ACME",
        "effective_date": dt.date(2025, 3, 14),
        "ex_date": dt.date(2025, 3, 1),
        "cash_per_share": Decimal("0.25"),
    }
    future = {
        **paid,
        "reference": "ACME-NEXT",
        "effective_date": dt.date.today() + dt.timedelta(days=40),
        "ex_date": None,
    }
    corporate_actions_enter(firm=steward, actor=ACTOR, rows=[paid, future])

    corporate_actions_apply_due(firm=firm_a, actor=ACTOR)
    corporate_actions_apply_due(firm=firm_a, actor=ACTOR)

    # 10.00 + 100 x 0.25; the dividend not yet paid adds nothing
    assert CashBalance.objects.for_firm(firm_a).get(account=a).amount_usd == Decimal("35.00")
    assert [x.action.reference for x in CorporateActionApplication.objects.all()] == ["ACME-Q1"]


def test_a_reinvested_dividend_after_a_loss_sale_washes_it_in_the_ledger(
    firm_a, steward, securities
):
    a = _account(firm_a, "A-1")
    _buy(firm_a, a, "a1", dt.date(2025, 1, 2), Decimal("100"), Decimal("5000.00"))
    _sell(firm_a, a, "s1", dt.date(2025, 3, 3), Decimal("50"), Decimal("2000.00"))
    corporate_actions_enter(
        firm=steward,
        actor=ACTOR,
        rows=[
            {
                "reference": "ACME-DRIP",
                "kind": "reinvested_dividend",
                "symbol": "ACME",
                "effective_date": dt.date(2025, 3, 13),
                "ex_date": dt.date(2025, 3, 7),
                "cash_per_share": Decimal("1.00"),
                "price": Decimal("40.00"),
            }
        ],
    )

    corporate_actions_apply_due(firm=firm_a, actor=ACTOR)

    # $50 buys 1.25 shares 10 days after the sale: 500 x 1.25 / 50 = 12.50 disallowed
    sale = RealizedGain.objects.for_firm(firm_a).get()
    assert sale.disallowed_loss_usd == Decimal("12.50")
    drip = TaxLot.objects.for_firm(firm_a).get(lot_ref="ca:ACME-DRIP/A-1")
    assert (drip.quantity, drip.cost_basis_usd, drip.wash_sale_adjustment_usd) == (
        Decimal("1.25"),
        Decimal("62.50"),
        Decimal("12.50"),
    )
    assert drip.opening_transaction is None


def test_a_spin_off_then_a_symbol_change_carry_basis_and_dates(firm_a, steward, securities):
    a = _account(firm_a, "A-1")
    _buy(firm_a, a, "a1", dt.date(2024, 1, 2), Decimal("100"), Decimal("10000.00"))
    corporate_actions_enter(
        firm=steward,
        actor=ACTOR,
        rows=[
            {
                "reference": "ACME-SPIN",
                "kind": "spin_off",
                "symbol": "ACME",
                "new_symbol": "SPIN",
                "effective_date": dt.date(2025, 7, 1),
                "ratio": "1:4",
                "basis_fraction": Decimal("0.2"),
            },
            {
                "reference": "SPIN-RENAME",
                "kind": "symbol_change",
                "symbol": "SPIN",
                "new_symbol": "NEWCO",
                "effective_date": dt.date(2025, 8, 1),
            },
        ],
    )

    corporate_actions_apply_due(firm=firm_a, actor=ACTOR)

    assert _lots(firm_a, a) == [
        ("a1", "ACME", Decimal("100"), Decimal("8000.00"), dt.date(2024, 1, 2)),
        ("a1", "NEWCO", Decimal("25"), Decimal("2000.00"), dt.date(2024, 1, 2)),
    ]


def test_a_firm_that_holds_nothing_of_it_gets_no_lots_and_sees_no_other_firms_record(
    firm_a, firm_b, steward, securities
):
    a = _account(firm_a, "A-1")
    _buy(firm_a, a, "a1", dt.date(2025, 1, 2), Decimal("100"), Decimal("10000.00"))
    corporate_actions_enter(firm=steward, actor=ACTOR, rows=[SPLIT])

    corporate_actions_apply_due(firm=firm_a, actor=ACTOR)
    applied_b = corporate_actions_apply_due(firm=firm_b, actor=ACTOR)

    assert applied_b.applications[0].households == 0
    assert not TaxLot.objects.for_firm(firm_b).exists()
    assert CorporateActionApplication.objects.for_firm(firm_b).get().cash_credited_usd == 0


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"symbol": "NOPE"}, "symbol", "'NOPE' is not in the security master"),
        ({"ratio": "0"}, "ratio", "greater than 0"),
        (
            {"kind": "spin_off", "new_symbol": "SPIN", "basis_fraction": Decimal("1.5")},
            "basis_fraction",
            "at most 1",
        ),
        ({"kind": "dividend"}, "kind", "not a corporate action"),
    ],
)
def test_bad_actions_are_refused_by_row_and_field_and_nothing_is_saved(
    steward, securities, change, field, words
):
    rows = [{**SPLIT, "reference": "OK-1"}, {**SPLIT, **change}]

    with pytest.raises(ValidationFailed) as caught:
        corporate_actions_enter(firm=steward, actor=ACTOR, rows=rows)

    (row, error_field, message) = caught.value.errors[0]
    assert (row, error_field) == (2, field)
    assert words in message
    assert not CorporateAction.objects.exists()


def test_only_a_steward_firm_enters_actions_and_entering_twice_changes_nothing(
    firm_a, steward, securities
):
    with pytest.raises(ValidationFailed, match="manages reference data"):
        corporate_actions_enter(firm=firm_a, actor=ACTOR, rows=[SPLIT])

    first = corporate_actions_enter(firm=steward, actor=ACTOR, rows=[SPLIT])
    second = corporate_actions_enter(firm=steward, actor=ACTOR, rows=[{**SPLIT, "ratio": "1.5"}])

    assert (len(first), len(second)) == (1, 0)
    with pytest.raises(ValidationFailed, match="stored with other values"):
        corporate_actions_enter(firm=steward, actor=ACTOR, rows=[{**SPLIT, "ratio": "2"}])


def test_closes_before_a_split_read_adjusted(firm_a, steward, securities):
    acme = securities["ACME"]
    for day, close in ((dt.date(2025, 5, 30), "150"), (dt.date(2025, 6, 2), "101")):
        Price.objects.create(security=acme, date=day, close=Decimal(close))
    corporate_actions_enter(firm=steward, actor=ACTOR, rows=[SPLIT])

    series = adjusted_closes(
        firm=firm_a, symbols=["ACME"], start=dt.date(2025, 5, 1), end=dt.date(2025, 6, 30)
    )

    assert series == {
        "ACME": [(dt.date(2025, 5, 30), Decimal("100")), (dt.date(2025, 6, 2), Decimal("101"))]
    }
