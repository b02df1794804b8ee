"""Recording transactions rewrites the household's lots and gains; selectors read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import RegistrationType, TaxStatus
from firms.models import AuditEvent
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed
from tests.factories import (
    AccountFactory,
    HouseholdFactory,
    PreferenceSetFactory,
    SecurityFactory,
    TaxLotFactory,
)
from trading.models import RealizedGain, TaxLot, Transaction
from trading.selectors.realized import (
    RecentBuy,
    RecentLossSale,
    WashSaleWindows,
    realized_gains_summary,
    wash_sale_windows,
    wash_sale_windows_for_households,
)
from trading.services.lot_ledger import transactions_record

pytestmark = pytest.mark.django_db


def row(external_id, date, type_, quantity, amount, symbol="VTI", lots=None):
    data = {
        "external_id": external_id,
        "date": date,
        "type": type_,
        "symbol": symbol,
        "quantity": quantity,
        "amount_usd": amount,
    }
    if lots is not None:
        data["lots"] = [{"lot": lot, "quantity": q} for lot, q in lots]
    return data


@pytest.fixture
def securities(db):
    return {
        "VTI": SecurityFactory(symbol="VTI", identical_group="CRSP-US-TOTAL"),
        "VTSAX": SecurityFactory(symbol="VTSAX", identical_group="CRSP-US-TOTAL"),
        "BND": SecurityFactory(symbol="BND", identical_group=""),
    }


@pytest.fixture
def household(firm_a):
    return HouseholdFactory(firm=firm_a, name="Lovelace")


@pytest.fixture
def taxable(household, securities):
    return AccountFactory(household=household, account_number="TAX-1")


@pytest.fixture
def ira(household, securities):
    return AccountFactory(
        household=household,
        account_number="IRA-1",
        registration_type=RegistrationType.TRADITIONAL_IRA,
        tax_status=TaxStatus.TAX_DEFERRED,
    )


def _lots(account):
    return [
        (lot.lot_ref, lot.quantity, lot.cost_basis_usd, lot.holding_period_start)
        for lot in TaxLot.objects.filter(account=account).order_by("acquired", "id")
    ]


def test_recording_buys_and_a_sale_writes_lots_gains_and_one_audit_event(
    firm_a, taxable, advisor_a
):
    result = transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.person(advisor_a),
        rows=[
            row("b1", "2024-01-02", "buy", "10", "1000.00"),
            row("b2", "2024-02-01", "buy", "10", "1200.00"),
            row("s1", "2024-07-01", "sell", "15", "1650.00"),
        ],
    )

    assert (result.open_lots, result.realized_rows) == (1, 2)
    assert _lots(taxable) == [("b2", Decimal("5.000000"), Decimal("600.00"), dt.date(2024, 2, 1))]
    gains = list(RealizedGain.objects.filter(account=taxable).order_by("id"))
    assert [(g.lot_ref, g.gain_usd, g.term) for g in gains] == [
        ("b1", Decimal("100.00"), "short"),
        ("b2", Decimal("-50.00"), "short"),
    ]
    sale = gains[0].sale_transaction
    assert sale is not None and sale.external_id == "s1"
    (event,) = AuditEvent.objects.filter(firm=firm_a, action="transactions.record")
    assert event.actor == advisor_a
    assert event.account_id_ref == taxable.pk
    assert event.after is not None and event.after["transactions"] == ["b1", "b2", "s1"]
    assert event.before == {"open_lots": 0, "realized_rows": 0}


def test_an_ira_purchase_washes_a_taxable_loss_across_the_household(firm_a, taxable, ira):
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.system("custodian-feed"),
        rows=[
            row("b1", "2024-01-02", "buy", "10", "1000.00"),
            row("s1", "2024-03-01", "sell", "10", "800.00"),
        ],
    )

    transactions_record(
        firm=firm_a,
        account=ira,
        actor=Actor.system("custodian-feed"),
        rows=[row("i1", "2024-03-15", "buy", "10", "820.00", symbol="VTSAX")],
    )

    (gain,) = RealizedGain.objects.filter(account=taxable)
    assert (gain.gain_usd, gain.disallowed_loss_usd) == (Decimal("-200.00"), Decimal("200.00"))
    assert _lots(ira) == [("i1", Decimal("10.000000"), Decimal("820.00"), dt.date(2024, 3, 15))]


def test_a_late_transaction_re_runs_the_household_from_its_history(firm_a, taxable):
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.system("feed"),
        rows=[
            row("b2", "2024-02-01", "buy", "10", "1200.00"),
            row("s1", "2024-07-01", "sell", "10", "1100.00"),
        ],
    )

    # when an earlier purchase arrives late, FIFO now relieves it instead of b2
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.system("feed"),
        rows=[row("b1", "2024-01-02", "buy", "10", "1000.00")],
    )

    assert [(g.lot_ref, g.gain_usd) for g in RealizedGain.objects.filter(account=taxable)] == [
        ("b1", Decimal("100.00"))
    ]
    assert [lot[0] for lot in _lots(taxable)] == ["b2"]


def test_invalid_rows_are_all_named_and_nothing_is_saved(firm_a, taxable):
    with pytest.raises(ValidationFailed) as caught:
        transactions_record(
            firm=firm_a,
            account=taxable,
            actor=Actor.system("feed"),
            rows=[
                row("b1", "2024-01-02", "buy", "10", "1000.00"),
                row("b2", "2024-13-01", "buy", "ten", "1000.001", symbol="NOPE"),
                row("b1", "2024-01-03", "transfer", "1", "1.00"),
                row("b4", "2024-01-03", "buy", "1e20", "1.00"),
            ],
        )

    errors = {(r, f) for r, f, _ in caught.value.errors}
    assert errors == {
        (2, "date"),
        (2, "symbol"),
        (2, "quantity"),
        (2, "amount_usd"),
        (3, "type"),
        (3, "external_id"),
        (4, "quantity"),
    }
    assert not Transaction.objects.exists()


def test_a_sale_of_more_than_is_held_names_its_row_and_saves_nothing(firm_a, taxable):
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.system("feed"),
        rows=[row("b1", "2024-01-02", "buy", "10", "1000.00")],
    )

    with pytest.raises(ValidationFailed) as caught:
        transactions_record(
            firm=firm_a,
            account=taxable,
            actor=Actor.system("feed"),
            rows=[
                row("b2", "2024-01-05", "buy", "1", "100.00"),
                row("s1", "2024-02-01", "sell", "12", "1300.00"),
            ],
        )

    assert (caught.value.row, caught.value.field) == (2, "quantity")
    assert "row 2, field 'quantity'" in str(caught.value)
    assert "only 11 are held in TAX-1" in str(caught.value)
    assert list(Transaction.objects.values_list("external_id", flat=True)) == ["b1"]
    assert [lot[0] for lot in _lots(taxable)] == ["b1"]
    assert AuditEvent.objects.filter(action="transactions.record").count() == 1


def test_a_named_lot_that_is_not_held_is_refused(firm_a, taxable):
    with pytest.raises(ValidationFailed) as caught:
        transactions_record(
            firm=firm_a,
            account=taxable,
            actor=Actor.system("feed"),
            rows=[
                row("b1", "2024-01-02", "buy", "10", "1000.00"),
                row("s1", "2024-02-01", "sell", "5", "600.00", lots=[("zz", "5")]),
            ],
        )

    assert (caught.value.row, caught.value.field) == (2, "lots[0].lot")


def test_specific_lots_are_stored_and_relieved(firm_a, taxable):
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.system("feed"),
        rows=[
            row("b1", "2024-01-02", "buy", "10", "1000.00"),
            row("b2", "2024-01-03", "buy", "10", "1500.00"),
            row("s1", "2024-02-01", "sell", "4", "600.00", lots=[("b2", "4")]),
        ],
    )

    assert Transaction.objects.get(external_id="s1").specific_lots == [
        {"lot": "b2", "quantity": "4"}
    ]
    assert [g.lot_ref for g in RealizedGain.objects.filter(account=taxable)] == ["b2"]


def test_each_account_uses_its_effective_relief_method(firm_a, household, taxable, ira):
    PreferenceSetFactory(household=household, lot_relief_method="HIFO")
    PreferenceSetFactory(household=None, account=ira, firm=firm_a, lot_relief_method="LIFO")
    buys = [
        row("{}1", "2024-01-02", "buy", "1", "100.00"),
        row("{}2", "2024-01-03", "buy", "1", "300.00"),
        row("{}3", "2024-01-04", "buy", "1", "200.00"),
    ]
    for account, prefix in ((taxable, "t"), (ira, "i")):
        rows = [{**r, "external_id": r["external_id"].format(prefix)} for r in buys]
        rows.append(row(f"{prefix}s", "2024-08-01", "sell", "1", "250.00"))
        transactions_record(firm=firm_a, account=account, actor=Actor.system("feed"), rows=rows)

    assert list(RealizedGain.objects.order_by("account_id").values_list("lot_ref", flat=True)) == [
        "t2",
        "i3",
    ]


def test_an_account_of_another_firm_is_not_found(firm_a, firm_b, taxable):
    with pytest.raises(DomainError):
        transactions_record(
            firm=firm_b,
            account=taxable,
            actor=Actor.system("feed"),
            rows=[row("b1", "2024-01-02", "buy", "10", "1000.00")],
        )

    assert not Transaction.objects.exists()


def test_rebuild_replaces_stale_lots(firm_a, household, taxable, securities):
    TaxLotFactory(account=taxable, security=securities["BND"], lot_ref="stale")

    result = transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.system("feed"),
        rows=[row("b1", "2024-01-02", "buy", "10", "1000.00")],
    )

    assert result.open_lots == 1
    assert [lot[0] for lot in _lots(taxable)] == ["b1"]


def test_realized_summary_covers_taxable_accounts_of_one_year(firm_a, household, taxable, ira):
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.system("feed"),
        rows=[
            row("b1", "2023-01-03", "buy", "10", "1000.00"),
            row("b2", "2024-05-01", "buy", "10", "1000.00", symbol="BND"),
            row("s0", "2023-12-01", "sell", "2", "260.00"),
            row("s1", "2024-03-01", "sell", "4", "600.00"),
            row("s2", "2024-06-03", "sell", "5", "400.00", symbol="BND"),
            row("b3", "2024-06-20", "buy", "2", "150.00", symbol="BND"),
        ],
    )
    transactions_record(
        firm=firm_a,
        account=ira,
        actor=Actor.system("feed"),
        rows=[
            row("i1", "2024-01-02", "buy", "10", "1000.00"),
            row("i2", "2024-03-01", "sell", "10", "2000.00"),
        ],
    )

    by_account = realized_gains_summary(firm=firm_a, account=taxable, year=2024)
    by_household = realized_gains_summary(firm=firm_a, household=household, year=2024)
    first_half = realized_gains_summary(
        firm=firm_a, household=household, year=2024, through=dt.date(2024, 5, 31)
    )

    # s1: long-term +200; s2: loss 100, 2 of 5 shares replaced by b3 (40 disallowed)
    assert by_account == by_household
    assert (
        by_account.short_term_gain_usd,
        by_account.long_term_gain_usd,
        by_account.disallowed_loss_usd,
    ) == (Decimal("-60.00"), Decimal("200.00"), Decimal("40.00"))
    assert first_half.short_term_gain_usd == Decimal("0.00")
    assert realized_gains_summary(firm=firm_a, account=ira, year=2024).net_gain_usd == 0


def test_realized_summary_of_another_firm_is_empty(firm_a, firm_b, household, taxable):
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.system("feed"),
        rows=[
            row("b1", "2024-01-02", "buy", "10", "1000.00"),
            row("s1", "2024-03-01", "sell", "10", "1500.00"),
        ],
    )

    mine = realized_gains_summary(firm=firm_a, household=household, year=2024)
    theirs = realized_gains_summary(firm=firm_b, household=household, year=2024)

    assert mine.short_term_gain_usd == Decimal("500.00")
    assert theirs.short_term_gain_usd == Decimal("0.00")
    assert wash_sale_windows(
        firm=firm_b, household=household, as_of=dt.date(2024, 3, 2)
    ) == WashSaleWindows(recent_buys=(), recent_loss_sales=())


def test_summary_needs_exactly_one_scope(firm_a, household, taxable):
    with pytest.raises(ValueError):
        realized_gains_summary(firm=firm_a, year=2024)
    with pytest.raises(ValueError):
        realized_gains_summary(firm=firm_a, year=2024, account=taxable, household=household)


def test_wash_sale_windows_sum_buys_and_keep_deductible_losses(firm_a, household, taxable, ira):
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.system("feed"),
        rows=[
            row("b1", "2024-01-02", "buy", "10", "1000.00"),
            row("b0", "2024-01-02", "buy", "10", "1000.00", symbol="BND"),
            row("s1", "2024-06-10", "sell", "4", "300.00"),
            row("s2", "2024-06-12", "sell", "1", "150.00", symbol="BND"),
        ],
    )
    transactions_record(
        firm=firm_a,
        account=ira,
        actor=Actor.system("feed"),
        rows=[
            row("i1", "2024-06-20", "buy", "5", "400.00", symbol="BND"),
            row("i2", "2024-06-20", "buy", "2.5", "200.00", symbol="BND"),
        ],
    )

    windows = wash_sale_windows(firm=firm_a, household=household, as_of=dt.date(2024, 7, 1))

    assert windows == WashSaleWindows(
        recent_buys=(RecentBuy(symbol="BND", date=dt.date(2024, 6, 20), quantity=Decimal("7.5")),),
        recent_loss_sales=(
            RecentLossSale(symbol="VTI", group="CRSP-US-TOTAL", date=dt.date(2024, 6, 10)),
        ),
    )
    later = wash_sale_windows(firm=firm_a, household=household, as_of=dt.date(2024, 7, 21))
    assert later == WashSaleWindows(recent_buys=(), recent_loss_sales=())


def test_a_wholly_washed_loss_no_longer_blocks_buying(firm_a, household, taxable):
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.system("feed"),
        rows=[
            row("b1", "2024-01-02", "buy", "10", "1000.00"),
            row("s1", "2024-06-10", "sell", "10", "800.00"),
            row("b2", "2024-06-15", "buy", "10", "800.00", symbol="VTSAX"),
        ],
    )

    windows = wash_sale_windows(firm=firm_a, household=household, as_of=dt.date(2024, 6, 20))

    assert windows.recent_loss_sales == ()
    assert windows.recent_buys == (
        RecentBuy(symbol="VTSAX", date=dt.date(2024, 6, 15), quantity=Decimal("10")),
    )


def test_windows_of_many_households_take_three_queries(
    firm_a, firm_b, household, taxable, django_assert_num_queries
):
    other = AccountFactory(household=HouseholdFactory(firm=firm_a), account_number="TAX-9")
    foreign = HouseholdFactory(firm=firm_b)
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.system("feed"),
        rows=[row("b1", "2024-06-20", "buy", "3", "300.00")],
    )
    transactions_record(
        firm=firm_a,
        account=other,
        actor=Actor.system("feed"),
        rows=[
            row("o1", "2024-01-02", "buy", "3", "300.00", symbol="BND"),
            row("o2", "2024-06-25", "sell", "3", "200.00", symbol="BND"),
        ],
    )
    ids = [household.pk, other.household_id, foreign.pk]

    # the households' accounts, their purchases, their loss sales: whatever their number
    with django_assert_num_queries(3):
        windows = wash_sale_windows_for_households(
            firm=firm_a, household_ids=ids, as_of=dt.date(2024, 7, 1)
        )

    assert windows == {
        household.pk: WashSaleWindows(
            recent_buys=(
                RecentBuy(symbol="VTI", date=dt.date(2024, 6, 20), quantity=Decimal("3")),
            ),
            recent_loss_sales=(),
        ),
        other.household_id: WashSaleWindows(
            recent_buys=(),
            recent_loss_sales=(
                RecentLossSale(symbol="BND", group="BND", date=dt.date(2024, 6, 25)),
            ),
        ),
        foreign.pk: WashSaleWindows(recent_buys=(), recent_loss_sales=()),
    }
