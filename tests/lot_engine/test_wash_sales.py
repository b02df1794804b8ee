"""The wash-sale rule: windows both ways, households, identical groups, share for share."""

from __future__ import annotations

import pytest

from lot_engine import run

from .events import buy, household, lots_of, rows_of, sell


def _disallowed(output, sale_id):
    return sum(float(r["disallowed_loss"]) for r in rows_of(output, sale_id))


def _pieces(output, lot_id):
    return [
        (p["quantity"], p["cost_basis"], p["wash_sale_adjustment"], p["holding_period_start"])
        for p in lots_of(output, lot_id)
    ]


# b1: 10 shares for 1000.00 on 2024-01-02, sold for 800.00 on 2024-03-31 (loss 200.00,
# 89 days held). The window runs from 2024-03-01 to 2024-04-30.
LOSS = (buy("b1", "2024-01-02", "10", "1000.00"),)
LOSS_SALE = sell("s1", "2024-03-31", "10", "800.00", lots=[("b1", "10")])


@pytest.mark.parametrize(
    ("bought", "washed"),
    [("2024-02-29", False), ("2024-03-01", True), ("2024-03-31", True)],
)
def test_look_back_window_reaches_30_days_before_the_sale(bought, washed):
    output = run(household(*LOSS, buy("b2", bought, "10", "900.00"), LOSS_SALE))

    assert _disallowed(output, "s1") == (200.0 if washed else 0.0)


@pytest.mark.parametrize(
    ("bought", "washed"),
    [("2024-03-31", True), ("2024-04-30", True), ("2024-05-01", False)],
)
def test_look_forward_window_reaches_30_days_after_the_sale(bought, washed):
    output = run(household(*LOSS, LOSS_SALE, buy("b2", bought, "10", "900.00")))

    assert _disallowed(output, "s1") == (200.0 if washed else 0.0)


def test_look_back_replacement_takes_the_loss_and_the_holding_period():
    output = run(household(*LOSS, buy("b2", "2024-03-20", "10", "900.00"), LOSS_SALE))

    # then b2 starts 89 days before its purchase
    assert _pieces(output, "b2") == [("10", "1100.00", "200.00", "2023-12-22")]
    assert output["totals"] == {
        "short_term_gain": "0.00",
        "long_term_gain": "0.00",
        "disallowed_loss": "200.00",
    }


def test_a_gain_is_never_a_wash_sale():
    output = run(
        household(
            buy("b1", "2024-01-02", "10", "1000.00"),
            sell("s1", "2024-03-31", "10", "1200.00"),
            buy("b2", "2024-04-02", "10", "1100.00"),
        )
    )

    assert _disallowed(output, "s1") == 0.0
    assert _pieces(output, "b2") == [("10", "1100.00", "0.00", "2024-04-02")]


def test_ira_purchase_disallows_the_loss_for_good_without_raising_the_ira_basis():
    output = run(
        household(
            *LOSS,
            LOSS_SALE,
            buy("b2", "2024-04-10", "10", "850.00", account="IRA-1"),
            ira=True,
        )
    )

    assert _disallowed(output, "s1") == 200.0
    assert _pieces(output, "b2") == [("10", "850.00", "0.00", "2024-04-10")]
    assert output["totals"]["disallowed_loss"] == "200.00"
    assert output["totals"]["short_term_gain"] == "0.00"


def test_ira_sales_are_realized_but_never_washed_nor_in_totals():
    output = run(
        household(
            buy("b1", "2024-01-02", "10", "1000.00", account="IRA-1"),
            sell("s1", "2024-03-31", "10", "800.00", account="IRA-1"),
            buy("b2", "2024-04-02", "10", "800.00"),
            ira=True,
        )
    )

    (row,) = rows_of(output, "s1")
    assert (row["gain"], row["disallowed_loss"]) == ("-200.00", "0.00")
    assert _pieces(output, "b2") == [("10", "800.00", "0.00", "2024-04-02")]
    assert output["totals"] == {
        "short_term_gain": "0.00",
        "long_term_gain": "0.00",
        "disallowed_loss": "0.00",
    }


def test_earliest_replacement_shares_first_across_accounts_and_both_directions():
    output = run(
        household(
            *LOSS,
            buy("bA", "2024-03-10", "4", "360.00", account="IRA-1"),
            buy("bB", "2024-03-20", "4", "360.00"),
            LOSS_SALE,
            buy("bC", "2024-04-05", "4", "360.00"),
            buy("bD", "2024-04-06", "4", "360.00"),
            ira=True,
        )
    )

    # 20.00 of loss per share: bA (IRA) 4 shares lost for good, bB 4, bC 2 of 4, bD none
    assert _disallowed(output, "s1") == 200.0
    assert _pieces(output, "bA") == [("4", "360.00", "0.00", "2024-03-10")]
    assert _pieces(output, "bB") == [("4", "440.00", "80.00", "2023-12-22")]
    assert _pieces(output, "bC") == [
        ("2", "220.00", "40.00", "2024-01-07"),
        ("2", "180.00", "0.00", "2024-04-05"),
    ]
    assert _pieces(output, "bD") == [("4", "360.00", "0.00", "2024-04-06")]


def test_each_replacement_share_replaces_only_one_sold_share():
    output = run(
        household(
            buy("b1", "2024-01-02", "10", "1000.00"),
            buy("b2", "2024-01-03", "10", "1000.00"),
            sell("s1", "2024-03-01", "10", "800.00", lots=[("b1", "10")]),
            sell("s2", "2024-03-02", "10", "800.00", lots=[("b2", "10")]),
            buy("b3", "2024-03-10", "10", "800.00"),
        )
    )

    assert _disallowed(output, "s1") == 200.0
    assert _disallowed(output, "s2") == 0.0
    assert _pieces(output, "b3") == [("10", "1000.00", "200.00", "2024-01-11")]
    assert output["totals"]["short_term_gain"] == "-200.00"


def test_chained_wash_sales_carry_loss_and_holding_period_twice():
    output = run(
        household(
            buy("b1", "2024-01-02", "10", "1000.00"),
            sell("s1", "2024-03-01", "10", "800.00"),
            buy("b2", "2024-03-10", "10", "800.00"),
            sell("s2", "2024-04-01", "10", "700.00"),
            buy("b3", "2024-04-15", "10", "700.00"),
        )
    )

    # then b2 (basis 1000, from 2024-01-11) lost 300, all carried into b3
    assert [r["disallowed_loss"] for r in output["realized"]] == ["200.00", "300.00"]
    assert _pieces(output, "b3") == [("10", "1000.00", "300.00", "2024-01-25")]
    assert output["totals"] == {
        "short_term_gain": "0.00",
        "long_term_gain": "0.00",
        "disallowed_loss": "500.00",
    }


def test_a_larger_replacement_purchase_is_split_and_only_the_replacing_part_adjusted():
    output = run(household(*LOSS, LOSS_SALE, buy("b2", "2024-04-10", "25", "2000.00")))

    assert _pieces(output, "b2") == [
        ("10", "1000.00", "200.00", "2024-01-12"),
        ("15", "1200.00", "0.00", "2024-04-10"),
    ]


def test_a_smaller_replacement_disallows_only_its_share_of_the_loss():
    output = run(household(*LOSS, LOSS_SALE, buy("b2", "2024-04-10", "4", "320.00")))

    assert _disallowed(output, "s1") == 80.0
    assert output["totals"]["short_term_gain"] == "-120.00"


def test_shares_sold_in_the_same_sale_are_not_replacements():
    output = run(
        household(
            buy("b1", "2024-01-02", "10", "1000.00"),
            buy("b2", "2024-03-20", "10", "1000.00"),
            sell("s1", "2024-03-31", "20", "1600.00"),
        )
    )

    assert _disallowed(output, "s1") == 0.0


def test_the_unsold_rest_of_another_purchase_in_the_same_sale_is_a_replacement():
    output = run(
        household(
            buy("b1", "2024-01-02", "10", "1000.00"),
            buy("b2", "2024-03-20", "10", "1000.00"),
            sell("s1", "2024-03-31", "15", "1200.00"),
        )
    )

    # then b1's loss (200) is washed by b2's 5 unsold shares; b2's own loss is not
    assert [(r["lot"], r["disallowed_loss"]) for r in rows_of(output, "s1")] == [
        ("b1", "100.00"),
        ("b2", "0.00"),
    ]
    assert _pieces(output, "b2") == [("5", "600.00", "100.00", "2023-12-22")]


def test_identical_group_members_replace_each_other():
    events = (
        buy("b1", "2024-01-02", "10", "1000.00", symbol="VOO"),
        sell("s1", "2024-03-31", "10", "800.00", symbol="VOO"),
        buy("b2", "2024-04-02", "10", "900.00", symbol="IVV"),
    )

    grouped = run(household(*events, groups=[["VOO", "IVV"]]))
    alone = run(household(*events))

    assert _pieces(grouped, "b2") == [("10", "1100.00", "200.00", "2024-01-04")]
    assert _pieces(alone, "b2") == [("10", "900.00", "0.00", "2024-04-02")]


def test_wash_sale_off_disallows_nothing():
    output = run(
        household(*LOSS, LOSS_SALE, buy("b2", "2024-04-10", "10", "900.00"), wash_sale=False)
    )

    assert _disallowed(output, "s1") == 0.0
    assert _pieces(output, "b2") == [("10", "900.00", "0.00", "2024-04-10")]
    assert output["totals"]["short_term_gain"] == "-200.00"


def test_replacement_sold_before_the_loss_sale_does_not_count():
    output = run(
        household(
            *LOSS,
            buy("b2", "2024-03-10", "10", "900.00"),
            sell("s0", "2024-03-15", "10", "950.00", lots=[("b2", "10")]),
            LOSS_SALE,
        )
    )

    assert _disallowed(output, "s1") == 0.0


def test_same_purchase_is_never_its_own_replacement():
    output = run(
        household(
            buy("b1", "2024-03-20", "20", "2000.00"),
            sell("s1", "2024-03-31", "10", "800.00"),
        )
    )

    assert _disallowed(output, "s1") == 0.0
    assert _pieces(output, "b1") == [("10", "1000.00", "0.00", "2024-03-20")]


def test_accounts_may_carry_their_own_relief_method():
    data = household(
        buy("a1", "2024-01-02", "1", "100.00"),
        buy("a2", "2024-01-03", "1", "300.00"),
        buy("i1", "2024-01-02", "1", "100.00", account="IRA-1"),
        buy("i2", "2024-01-03", "1", "300.00", account="IRA-1"),
        sell("s1", "2024-06-03", "1", "200.00"),
        sell("s2", "2024-06-03", "1", "200.00", account="IRA-1"),
        ira=True,
    )
    data["accounts"]["TAX-1"]["method"] = "HIFO"

    output = run(data)

    assert [(r["sale"], r["lot"]) for r in output["realized"]] == [("s1", "a2"), ("s2", "i1")]


def test_a_sale_at_exactly_its_basis_after_a_partial_sale_starts_no_wash_sale():
    # given 78 shares for 1986.04 (25.4620...), 11 of them sold, then 39 sold for exactly
    # their basis (993.02), which the proportional carve leaves 1e-57 below it
    output = run(
        household(
            buy("b1", "2024-01-02", "78", "1986.04"),
            sell("s1", "2024-03-01", "11", "284.94", lots=[("b1", "11")]),
            sell("s2", "2024-03-04", "39", "993.02", lots=[("b1", "39")]),
            buy("b2", "2024-03-10", "10", "250.00"),
        )
    )

    # then no loss is disallowed and the purchase keeps its own holding period and basis
    assert _disallowed(output, "s2") == 0.0
    assert _pieces(output, "b2") == [("10", "250.00", "0.00", "2024-03-10")]
