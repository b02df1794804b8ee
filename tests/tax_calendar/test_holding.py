"""The holding-period rule: long-term when sold after the one-year anniversary."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tax_calendar.holding import anniversary, carried_start, is_long_term
from tax_calendar.holding_arrays import anniversaries, long_term_mask


@pytest.mark.parametrize(
    ("sold", "long"),
    [
        (dt.date(2025, 2, 4), False),
        (dt.date(2025, 2, 5), False),  # 365 days: not more than a year
        (dt.date(2025, 2, 6), True),  # the day after the anniversary
    ],
)
def test_publication_550_example_bought_5_february(sold, long):
    assert is_long_term(start=dt.date(2024, 2, 5), sold=sold) is long


def test_a_year_with_a_leap_day_in_it_takes_366_days():
    # given a start before 29 February 2024: the anniversary is 366 days later
    start = dt.date(2023, 3, 1)

    assert (anniversary(start=start) - start).days == 366
    assert not is_long_term(start=start, sold=dt.date(2024, 3, 1))
    assert is_long_term(start=start, sold=dt.date(2024, 3, 2))


def test_a_year_without_a_leap_day_takes_365_days():
    start = dt.date(2024, 3, 1)

    assert (anniversary(start=start) - start).days == 365
    assert not is_long_term(start=start, sold=dt.date(2025, 3, 1))
    assert is_long_term(start=start, sold=dt.date(2025, 3, 2))


def test_29_february_has_its_anniversary_on_1_march():
    start = dt.date(2024, 2, 29)

    assert anniversary(start=start) == dt.date(2025, 3, 1)
    assert not is_long_term(start=start, sold=dt.date(2025, 2, 28))
    assert not is_long_term(start=start, sold=dt.date(2025, 3, 1))
    assert is_long_term(start=start, sold=dt.date(2025, 3, 2))


def test_28_february_before_a_leap_day_keeps_28_february():
    assert anniversary(start=dt.date(2023, 2, 28)) == dt.date(2024, 2, 28)
    assert is_long_term(start=dt.date(2023, 2, 28), sold=dt.date(2024, 2, 29))


def test_year_end_start_turns_long_on_2_january_two_years_on():
    assert anniversary(start=dt.date(2024, 12, 31)) == dt.date(2025, 12, 31)
    assert not is_long_term(start=dt.date(2024, 12, 31), sold=dt.date(2025, 12, 31))
    assert is_long_term(start=dt.date(2024, 12, 31), sold=dt.date(2026, 1, 1))


def test_carried_start_moves_back_by_the_days_the_sold_shares_were_held():
    # given shares held 151 days (2024-01-02 to 2024-06-01), replaced on 2024-06-15
    start = carried_start(
        sold_start=dt.date(2024, 1, 2), sold=dt.date(2024, 6, 1), acquired=dt.date(2024, 6, 15)
    )

    assert start == dt.date(2024, 1, 16)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def test_the_array_rule_agrees_with_the_date_rule_on_every_start_of_a_leap_cycle():
    starts = _days(dt.date(2023, 1, 1), dt.date(2028, 12, 31))

    got = anniversaries(starts)

    expected = np.array([anniversary(start=s) for s in starts], dtype="datetime64[D]")
    assert got.tolist() == expected.tolist()


@pytest.mark.parametrize(
    "sold", [dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2025, 3, 2), dt.date(2026, 1, 1)]
)
def test_the_array_mask_agrees_with_the_date_rule(sold):
    starts = _days(dt.date(2023, 12, 1), dt.date(2025, 3, 5))

    mask = long_term_mask(starts, sold=sold)

    assert mask.dtype == bool
    assert mask.tolist() == [is_long_term(start=s, sold=sold) for s in starts]


def test_the_array_rule_takes_datetime64_days_as_well_as_dates():
    starts = [dt.date(2024, 2, 29), dt.date(1969, 12, 31), dt.date(2024, 12, 31)]

    got = anniversaries(np.array(starts, dtype="datetime64[D]"))

    assert got.tolist() == anniversaries(starts).tolist()
    assert got.tolist() == [dt.date(2025, 3, 1), dt.date(1970, 12, 31), dt.date(2025, 12, 31)]


def test_the_array_mask_of_no_dates_is_an_empty_bool_array():
    mask = long_term_mask([], sold=dt.date(2025, 1, 1))

    assert mask.dtype == bool
    assert mask.shape == (0,)
