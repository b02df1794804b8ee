"""Holding periods: the anniversary rule, leap days, and the carried-over period."""

from __future__ import annotations

import datetime as dt

import pytest

from lot_engine import run
from lot_engine.holding import term
from lot_engine.types import Term
from tax_calendar.holding import anniversary, carried_start

from .events import buy, household, sell


@pytest.mark.parametrize(
    ("sold", "expected"),
    [
        (dt.date(2025, 2, 4), Term.SHORT),
        (dt.date(2025, 2, 5), Term.SHORT),
        (dt.date(2025, 2, 6), Term.LONG),
    ],
)
def test_sale_on_the_anniversary_is_short_and_the_day_after_long(sold, expected):
    assert term(holding_period_start=dt.date(2024, 2, 5), sold=sold) is expected


def test_february_29_purchase_has_its_anniversary_on_march_1():
    assert anniversary(start=dt.date(2024, 2, 29)) == dt.date(2025, 3, 1)
    assert term(holding_period_start=dt.date(2024, 2, 29), sold=dt.date(2025, 3, 1)) is Term.SHORT
    assert term(holding_period_start=dt.date(2024, 2, 29), sold=dt.date(2025, 3, 2)) is Term.LONG


def test_february_28_purchase_before_a_leap_day_keeps_february_28():
    assert anniversary(start=dt.date(2023, 2, 28)) == dt.date(2024, 2, 28)
    assert term(holding_period_start=dt.date(2023, 2, 28), sold=dt.date(2024, 2, 29)) is Term.LONG


def test_carried_start_moves_back_by_the_days_the_sold_shares_were_held():
    # given t1 held 151 days (2024-01-02 to 2024-06-01), replaced by t3 on 2024-06-15
    start = carried_start(
        sold_start=dt.date(2024, 1, 2), sold=dt.date(2024, 6, 1), acquired=dt.date(2024, 6, 15)
    )

    assert start == dt.date(2024, 1, 16)


def test_terms_in_the_output_follow_the_anniversary_rule():
    output = run(
        household(
            buy("b1", "2024-02-05", "20", "200.00"),
            sell("s1", "2025-02-05", "10", "150.00"),
            sell("s2", "2025-02-06", "10", "150.00"),
        )
    )

    assert [(r["sale"], r["term"]) for r in output["realized"]] == [
        ("s1", "short"),
        ("s2", "long"),
    ]
    assert output["totals"] == {
        "short_term_gain": "50.00",
        "long_term_gain": "50.00",
        "disallowed_loss": "0.00",
    }


def test_a_replacement_with_a_carried_period_can_be_long_term_weeks_after_purchase():
    # given 400 days held, sold at a loss, bought back 10 days later
    output = run(
        household(
            buy("b1", "2023-01-02", "10", "1000.00"),
            sell("s1", "2024-02-06", "10", "800.00"),
            buy("b2", "2024-02-16", "10", "800.00"),
            sell("s2", "2024-03-01", "10", "1100.00"),
        )
    )

    (row,) = [r for r in output["realized"] if r["sale"] == "s2"]
    assert row["term"] == "long"
    assert row["cost_basis"] == "1000.00"
