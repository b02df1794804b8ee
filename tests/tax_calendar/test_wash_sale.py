"""The wash-sale window: 30 days on either side of a sale, both ends included."""

from __future__ import annotations

import datetime as dt

import pytest

from tax_calendar.wash_sale import window_end, window_start, within_window

SOLD = dt.date(2025, 3, 15)


def test_the_window_runs_from_30_days_before_to_30_days_after():
    assert window_start(sold=SOLD) == dt.date(2025, 2, 13)
    assert window_end(sold=SOLD) == dt.date(2025, 4, 14)
    assert (window_end(sold=SOLD) - window_start(sold=SOLD)).days + 1 == 61


@pytest.mark.parametrize(
    ("days", "inside"),
    [(-31, False), (-30, True), (-29, True), (0, True), (29, True), (30, True), (31, False)],
)
def test_day_30_is_inside_and_day_31_outside(days, inside):
    event = SOLD + dt.timedelta(days=days)

    assert within_window(event=event, day=SOLD) is inside


def test_the_window_crosses_a_year_end_and_a_leap_day():
    assert window_start(sold=dt.date(2025, 1, 10)) == dt.date(2024, 12, 11)
    assert window_end(sold=dt.date(2024, 2, 15)) == dt.date(2024, 3, 16)
    assert window_end(sold=dt.date(2025, 2, 15)) == dt.date(2025, 3, 17)
