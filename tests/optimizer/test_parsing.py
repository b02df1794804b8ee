"""Contract parsing: defaults, decimals as strings or numbers, errors naming case and field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from optimizer import OptimizerInputError, optimize_account, parse_case


def minimal() -> dict:
    return {
        "as_of": "2025-06-30",
        "account": {"id": "P-1"},
        "securities": {"VTI": {"price": 250.1}},
        "lots": [
            {
                "id": "L1",
                "symbol": "VTI",
                "quantity": 10,
                "cost_basis": "2000",
                "acquired": "2024-01-02",
            }
        ],
    }


def test_defaults_fill_everything_left_out() -> None:
    case = parse_case(minimal())

    assert case.tax_status == "taxable"
    assert case.cash == 0
    assert case.target == {}
    assert case.preferences.tax.short_term_rate == Decimal("0.37")
    assert case.preferences.tax.long_term_rate == Decimal("0.20")
    assert case.preferences.tax.harvest_losses is True
    assert case.preferences.trading.fractional_shares is False
    assert case.securities.price_of("VTI") == Decimal("250.1")
    assert case.lots.quantity[0] == Decimal("10")


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda c: c.pop("as_of"), "as_of"),
        (lambda c: c["account"].pop("id"), "account.id"),
        (lambda c: c["securities"]["VTI"].pop("price"), "securities.VTI.price"),
        (lambda c: c["lots"][0].update(symbol="XYZ"), "lots[0].symbol"),
        (lambda c: c["lots"][0].update(cost_basis="abc"), "lots[0].cost_basis"),
        (lambda c: c["lots"][0].update(acquired="30/06/2025"), "lots[0].acquired"),
        (lambda c: c.update(target={"VTI": "0.7", "BND": "0.2"}), "target.BND"),
        (lambda c: c.update(target={"VTI": "1.2"}), "target"),
        (
            lambda c: c.update(preferences={"restrictions": [{"symbol": "VTI", "type": "never"}]}),
            "preferences.restrictions[0].type",
        ),
        (
            lambda c: c.update(preferences={"tax": {"short_term_rate": "1.5"}}),
            "preferences.tax.short_term_rate",
        ),
        (
            lambda c: c.update(wash_sale={"recent_buys": [{"symbol": "VTI"}]}),
            "wash_sale.recent_buys[0].date",
        ),
    ],
)
def test_contract_breaches_name_the_case_and_field(mutate, field: str) -> None:
    data = minimal()
    mutate(data)

    with pytest.raises(OptimizerInputError) as error:
        parse_case(data)

    assert error.value.field == field
    assert error.value.case in ("P-1", "?")
    assert error.value.retryable is False


def test_a_breach_becomes_status_invalid_not_an_exception() -> None:
    data = minimal()
    data["lots"][0]["quantity"] = "-3"

    result = optimize_account(data)

    assert result.status == "invalid"
    assert "lots[0].quantity" in result.message


@pytest.mark.parametrize("data", [None, [], "text", {"account": "x"}])
def test_garbage_is_invalid(data) -> None:
    assert optimize_account(data).status == "invalid"


@pytest.mark.parametrize(
    ("acquired", "as_of", "long"),
    [
        ("2024-02-05", "2025-02-05", False),
        ("2024-02-05", "2025-02-06", True),
        ("2024-02-29", "2025-03-01", False),
        ("2024-02-29", "2025-03-02", True),
    ],
)
def test_holding_period_turns_long_the_day_after_the_anniversary(
    acquired: str, as_of: str, long: bool
) -> None:
    from optimizer.rules import long_term_lots

    data = minimal()
    data["as_of"] = as_of
    data["lots"][0]["acquired"] = acquired
    case = parse_case(data)

    assert long_term_lots(acquired=case.lots.acquired, as_of=case.as_of).tolist() == [long]
