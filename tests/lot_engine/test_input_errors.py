"""Input that breaks the contract is refused with the transaction and field named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lot_engine import LotEngineInputError, run

from .events import buy, household, sell


def _error(data) -> LotEngineInputError:
    with pytest.raises(LotEngineInputError) as caught:
        run(data)
    return caught.value


def test_selling_more_than_is_held_names_the_sale_and_quantity():
    error = _error(
        household(buy("b1", "2024-01-02", "10", "100.00"), sell("s1", "2024-02-01", "11", "120.00"))
    )

    assert (error.transaction_id, error.field) == ("s1", "quantity")
    assert "only 10 are held" in str(error)


def test_shares_held_in_another_account_do_not_count():
    error = _error(
        household(
            buy("b1", "2024-01-02", "10", "100.00", account="TAX-2"),
            sell("s1", "2024-02-01", "5", "60.00"),
        )
    )

    assert (error.transaction_id, error.field) == ("s1", "quantity")


def test_a_sale_before_its_purchase_date_is_an_oversell_whatever_the_file_order():
    error = _error(
        household(sell("s1", "2024-01-01", "5", "60.00"), buy("b1", "2024-01-02", "10", "100.00"))
    )

    assert (error.transaction_id, error.field) == ("s1", "quantity")


def test_unknown_lot_is_refused():
    error = _error(
        household(
            buy("b1", "2024-01-02", "10", "100.00"),
            sell("s1", "2024-02-01", "5", "60.00", lots=[("nope", "5")]),
        )
    )

    assert (error.transaction_id, error.field) == ("s1", "lots[0].lot")
    assert "does not exist" in error.message


def test_a_lot_bought_after_the_sale_is_not_held():
    error = _error(
        household(
            buy("b1", "2024-01-02", "10", "100.00"),
            sell("s1", "2024-02-01", "5", "60.00", lots=[("b2", "5")]),
            buy("b2", "2024-03-01", "10", "100.00"),
        )
    )

    assert (error.transaction_id, error.field) == ("s1", "lots[0].lot")
    assert "is not an open lot" in error.message


def test_naming_more_of_a_lot_than_is_left_is_refused():
    error = _error(
        household(
            buy("b1", "2024-01-02", "10", "100.00"),
            buy("b2", "2024-01-03", "10", "100.00"),
            sell("s1", "2024-02-01", "8", "90.00", lots=[("b1", "8")]),
            sell("s2", "2024-02-02", "5", "60.00", lots=[("b1", "5")]),
        )
    )

    assert (error.transaction_id, error.field) == ("s2", "lots[0].quantity")


def test_named_quantities_must_add_up_to_the_sale():
    error = _error(
        household(
            buy("b1", "2024-01-02", "10", "100.00"),
            sell("s1", "2024-02-01", "5", "60.00", lots=[("b1", "4")]),
        )
    )

    assert (error.transaction_id, error.field) == ("s1", "lots")


def test_unknown_method_is_refused():
    error = _error(household(buy("b1", "2024-01-02", "10", "100.00"), method="AVERAGE"))

    assert (error.transaction_id, error.field) == (None, "method")
    assert "AVERAGE" in str(error)


@pytest.mark.parametrize("date", ["2024-02-30", "02/01/2024", "2024-2-1", "", None, 20240201])
def test_a_date_that_is_not_a_date_is_refused(date):
    event = buy("b1", "2024-01-02", "10", "100.00")
    event["date"] = date

    error = _error(household(event))

    assert (error.transaction_id, error.field) == ("b1", "date")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "ten"),
        ("quantity", "0"),
        ("quantity", "-1"),
        ("quantity", "NaN"),
        ("quantity", 1.5),
        ("quantity", None),
        ("amount", "1,000.00"),
        ("amount", "-5"),
        ("amount", "Infinity"),
        ("amount", True),
    ],
)
def test_a_bad_number_is_refused(field, value):
    event = buy("b1", "2024-01-02", "10", "100.00")
    event[field] = value

    error = _error(household(event))

    assert (error.transaction_id, error.field) == ("b1", field)


def test_integers_and_decimals_are_accepted_as_numbers():
    event = buy("b1", "2024-01-02", "10", "100.00")
    event["quantity"], event["amount"] = 10, Decimal("100.00")

    assert run(household(event))["lots"][0]["cost_basis"] == "100.00"


@pytest.mark.parametrize("txn_id", [None, "", "  ", 7])
def test_a_transaction_without_an_id_is_refused_by_position(txn_id):
    first = buy("b1", "2024-01-02", "10", "100.00")
    second = buy("b2", "2024-01-03", "10", "100.00")
    second["id"] = txn_id

    error = _error(household(first, second))

    assert (error.transaction_id, error.index, error.field) == (None, 1, "id")
    assert str(error).startswith("transactions[1] (no id), field 'id'")


def test_duplicate_ids_are_refused():
    error = _error(
        household(buy("b1", "2024-01-02", "10", "100.00"), buy("b1", "2024-01-03", "10", "100.00"))
    )

    assert (error.transaction_id, error.field) == ("b1", "id")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "dividend"}, "type"),
        ({"account": ""}, "account"),
        ({"symbol": None}, "symbol"),
        ({"lots": [{"lot": "b0", "quantity": "1"}]}, "lots"),
    ],
)
def test_other_malformed_fields_are_refused(change, field):
    event = {**buy("b1", "2024-01-02", "10", "100.00"), **change}

    error = _error(household(event))

    assert (error.transaction_id, error.field) == ("b1", field)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ([], "(root)"),
        ({"transactions": {}}, "transactions"),
        ({"transactions": [], "wash_sale": "yes"}, "wash_sale"),
        ({"transactions": [], "accounts": {"A": {"tax_status": "roth"}}}, "accounts.A.tax_status"),
        ({"transactions": [], "identical_groups": ["VOO"]}, "identical_groups[0]"),
    ],
)
def test_malformed_file_level_fields_are_refused(data, field):
    assert _error(data).field == field


def test_an_empty_household_has_nothing():
    assert run({"transactions": []}) == {
        "lots": [],
        "realized": [],
        "totals": {"short_term_gain": "0.00", "long_term_gain": "0.00", "disallowed_loss": "0.00"},
    }
