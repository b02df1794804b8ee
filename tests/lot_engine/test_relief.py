"""Order of relief: FIFO, LIFO, HIFO, TAX_MIN and specific identification."""

from __future__ import annotations

import pytest

from lot_engine import run

from .events import buy, household, lots_of, rows_of, sell

# Three purchases, out of date order in the file: B (oldest), A, C (newest).
PURCHASES = (
    buy("A", "2023-10-02", "10", "1200.00"),  # 120/share, long-term by the sale
    buy("B", "2023-10-01", "10", "1000.00"),  # 100/share, long-term
    buy("C", "2024-06-03", "10", "1500.00"),  # 150/share, short-term
    buy("D", "2024-07-01", "10", "1050.00"),  # 105/share, short-term
)


def _relieved(method: str, quantity: str, price_total: str) -> list[tuple[str, str]]:
    output = run(
        household(*PURCHASES, sell("s1", "2024-11-01", quantity, price_total), method=method)
    )
    return [(r["lot"], r["quantity"]) for r in rows_of(output, "s1")]


def test_fifo_relieves_the_oldest_purchase_first_whatever_the_file_order():
    assert _relieved("FIFO", "15", "1650.00") == [("B", "10"), ("A", "5")]


def test_lifo_relieves_the_newest_purchase_first():
    assert _relieved("LIFO", "15", "1650.00") == [("D", "10"), ("C", "5")]


def test_hifo_relieves_the_highest_cost_per_share_first():
    assert _relieved("HIFO", "15", "1650.00") == [("C", "10"), ("A", "5")]


def test_tax_min_takes_losses_then_long_term_gains_then_short_term_gains():
    # given a price of 110/share: C (150) is a loss, A (120) a loss,
    # B (100, long) a long-term gain, D (105, short) a short-term gain
    assert _relieved("TAX_MIN", "40", "4400.00") == [
        ("C", "10"),
        ("A", "10"),
        ("B", "10"),
        ("D", "10"),
    ]


def test_tax_min_takes_long_term_gains_before_short_term_ones_with_a_higher_basis():
    # given a price of 200/share everything is a gain: B and A long, C and D short
    assert _relieved("TAX_MIN", "25", "5000.00") == [("A", "10"), ("B", "10"), ("C", "5")]


def test_specific_identification_relieves_exactly_the_named_lots_whatever_the_method():
    output = run(
        household(
            *PURCHASES,
            sell("s1", "2024-11-01", "7", "770.00", lots=[("D", "4"), ("A", "3")]),
            method="HIFO",
        )
    )

    assert [(r["lot"], r["quantity"]) for r in output["realized"]] == [("D", "4"), ("A", "3")]
    assert lots_of(output, "D")[0]["quantity"] == "6"
    assert lots_of(output, "A")[0]["cost_basis"] == "840.00"


def test_partial_relief_keeps_the_rest_of_the_lot_with_the_rest_of_its_basis():
    output = run(
        household(buy("b1", "2024-01-02", "3", "100.00"), sell("s1", "2024-03-01", "1", "40.00"))
    )

    (lot,) = output["lots"]
    (row,) = output["realized"]
    assert (lot["quantity"], lot["cost_basis"]) == ("2", "66.67")
    assert (row["cost_basis"], row["gain"]) == ("33.33", "6.67")


def test_fractional_shares_are_never_rounded():
    output = run(
        household(
            buy("b1", "2024-01-02", "10.123456", "1000.00"),
            sell("s1", "2024-03-01", "0.000001", "0.01"),
        )
    )

    assert output["lots"][0]["quantity"] == "10.123455"
    assert output["realized"][0]["quantity"] == "0.000001"


def test_proceeds_of_one_sale_are_shared_pro_rata_and_add_up_to_the_amount():
    output = run(
        household(
            buy("b1", "2024-01-02", "1", "10.00"),
            buy("b2", "2024-01-03", "1", "10.00"),
            buy("b3", "2024-01-04", "1", "10.00"),
            sell("s1", "2024-03-01", "3", "100.00"),
        )
    )

    proceeds = [r["proceeds"] for r in output["realized"]]
    assert proceeds == ["33.33", "33.34", "33.33"]
    assert [r["gain"] for r in output["realized"]] == ["23.33", "23.34", "23.33"]


@pytest.mark.parametrize("method", ["FIFO", "LIFO", "HIFO", "TAX_MIN"])
def test_a_split_purchase_gives_up_its_adjusted_piece_first(method):
    # given b2 (10 shares) of which 4 replaced the loss of s1 (piece with +40 adjustment)
    output = run(
        household(
            buy("b1", "2024-01-02", "4", "400.00"),
            sell("s1", "2024-03-01", "4", "360.00"),
            buy("b2", "2024-03-05", "10", "900.00"),
            sell("s2", "2024-08-01", "4", "400.00"),
            method=method,
        )
    )

    # then the adjusted piece (4 shares, 400 basis) is sold, not the plain one
    (row,) = rows_of(output, "s2")
    assert (row["lot"], row["quantity"], row["cost_basis"]) == ("b2", "4", "400.00")
    assert [(p["quantity"], p["wash_sale_adjustment"]) for p in lots_of(output, "b2")] == [
        ("6", "0.00")
    ]
