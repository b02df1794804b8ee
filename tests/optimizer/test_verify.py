"""The one rule checker: every rule in words, for the optimizer's answers and for an
advisor's edited proposal alike."""

from __future__ import annotations

from decimal import Decimal

from optimizer import parse_case
from optimizer.types import LotRelief, Trade
from optimizer.verify import violations


def _case(**changes) -> dict:
    case = {
        "as_of": "2025-06-30",
        "account": {"id": "P-1", "cash": "1000"},
        "securities": {
            "VTI": {"price": "100", "asset_class": "us_equity", "identical_group": "total"},
            "ITOT": {"price": "50", "asset_class": "us_equity", "identical_group": "total"},
            "BND": {"price": "70", "asset_class": "us_bond"},
        },
        "lots": [
            {
                "id": "L1",
                "symbol": "VTI",
                "quantity": "10",
                "cost_basis": "1200",
                "acquired": "2025-01-02",
            }
        ],
    }
    case.update(changes)
    return case


def _sale(quantity: str, *, gain: str = "-20", lot_quantity: str | None = None) -> Trade:
    q = Decimal(quantity)
    return Trade(
        symbol="VTI",
        side="sell",
        quantity=q,
        price=Decimal("100"),
        value=q * 100,
        reasons=(),
        lots=(
            LotRelief(
                lot="L1",
                quantity=Decimal(lot_quantity or quantity),
                cost_basis=Decimal("120") * q,
                gain=Decimal(gain),
                term="short",
            ),
        ),
    )


def _buy(symbol: str, quantity: str, price: str) -> Trade:
    q, p = Decimal(quantity), Decimal(price)
    return Trade(symbol=symbol, side="buy", quantity=q, price=p, value=q * p, reasons=())


def _check(case: dict, trades: list[Trade], *, cash_after="1000", short="0", total="0"):
    return violations(
        case=parse_case(case),
        trades=trades,
        cash_after=Decimal(cash_after),
        short_gain=Decimal(short),
        total_gain=Decimal(total),
    )


def test_trades_within_every_rule_break_none():
    assert _check(_case(), [_sale("1", gain="20"), _buy("BND", "2", "70")]) == []


def test_quantities_must_be_positive_and_whole_unless_fractional():
    found = _check(_case(), [_buy("BND", "1.5", "70"), _buy("ITOT", "0", "50")])

    assert found == [
        "BND: this account trades whole shares only",
        "ITOT: the quantity must be positive",
    ]


def test_a_trade_under_the_minimum_is_refused_unless_it_closes_the_position():
    case = _case(preferences={"trading": {"min_trade_value": "2000"}})

    assert _check(case, [_buy("BND", "1", "70")]) == [
        "BND: $70.00 is below the minimum trade of $2,000.00"
    ]
    assert _check(case, [_sale("10", gain="20")]) == []


def test_restrictions_in_force_screens_and_substitutions_block_purchases():
    case = _case(
        preferences={
            "restrictions": [
                {"symbol": "BND", "type": "do_not_buy"},
                {"symbol": "VTI", "type": "hold", "end": "2025-06-01"},
            ],
            "screens": [{"field": "asset_class", "value": "us_equity"}],
            "substitutions": [{"from": "ITOT", "to": "BND"}],
        }
    )

    found = _check(case, [_buy("BND", "1", "70"), _buy("ITOT", "1", "50"), _sale("1", gain="5")])

    assert found == [
        "BND is restricted from buying",
        "ITOT is excluded by a screen",
        "ITOT is substituted away and may not be bought",
    ]


def test_a_sale_must_not_exceed_what_is_held_nor_what_its_lots_hold():
    found = _check(_case(), [_sale("11", gain="5", lot_quantity="11")])

    assert found == [
        "VTI: selling 11 but only 10 is held",
        "lot L1: selling 11 but it holds 10",
    ]


def test_a_sale_whose_lots_do_not_add_up_is_refused():
    assert _check(_case(), [_sale("2", gain="5", lot_quantity="1")]) == [
        "VTI: the lots sold add up to 1, not 2"
    ]


def test_the_wash_sale_rule_both_ways_and_within_the_window_only():
    case = _case(
        wash_sale={
            "recent_buys": [{"symbol": "ITOT", "date": "2025-06-01", "quantity": "1"}],
            "recent_loss_sales": [{"symbol": "ITOT", "date": "2025-05-31"}],
        }
    )

    found = _check(case, [_sale("1"), _buy("ITOT", "1", "50")])

    assert found == [
        "buying ITOT would be a wash sale: its group was sold at a loss within 30 days",
        "selling VTI at a loss would be a wash sale: bought within 30 days",
        "selling VTI at a loss while buying its group is a wash sale",
    ]


def test_events_31_days_back_and_other_accounts_statuses_do_not_wash():
    case = _case(
        wash_sale={
            "recent_buys": [{"symbol": "ITOT", "date": "2025-05-30", "quantity": "1"}],
            "recent_loss_sales": [{"symbol": "ITOT", "date": "2025-05-30"}],
        }
    )
    deferred = _case(account={"id": "P-1", "cash": "1000", "tax_status": "tax_deferred"})

    assert _check(case, [_sale("1"), _buy("BND", "1", "70")]) == []
    assert _check(deferred, [_sale("1"), _buy("ITOT", "1", "50")]) == []


def test_the_cash_floor_and_the_gain_caps():
    case = _case(
        preferences={
            "cash": {"min": "100", "withdrawal": "50"},
            "tax": {"max_realized_gain": "10", "max_short_term_gain": "5"},
        }
    )

    found = _check(case, [], cash_after="149.99", short="6", total="11")

    assert found == [
        "cash after trades $149.99 is below the $150.00 needed (minimum plus withdrawal)",
        "net realized gain $11.00 exceeds the cap of $10.00",
        "net short-term gain $6.00 exceeds the cap of $5.00",
    ]
