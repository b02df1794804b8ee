"""The household back-test: a taxable account, an IRA and a Roth managed as one against
each managed on its own, after tax."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from backtest.household import household_backtest

SPY = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "spy_prices.csv"


def _trading_days(start: dt.date, count: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def test_when_equity_grows_as_the_location_table_expects_the_household_gains():
    # given four years of equity growing a steady 6 % a year (the table's expected growth
    # for broad US equity) and the 4 % bond series
    dates = _trading_days(dt.date(2009, 1, 2), 4 * 261)
    prices = [
        (Decimal("100") * Decimal("1.06") ** (Decimal(k) / 261)).quantize(Decimal("0.01"))
        for k in range(len(dates))
    ]

    # when
    outcome = household_backtest(dates, prices)

    # then the household, its bonds out of the taxable account and its growth out of the
    # IRA, ends richer after tax than three accounts each at 60/39
    assert outcome.household_after_tax > outcome.separate_after_tax
    assert Decimal("5") < outcome.gain_bp_per_year < Decimal("150")


@pytest.mark.skipif(not SPY.exists(), reason="shared/data/spy_prices.csv not here")
def test_on_spy_2005_to_2012_the_household_gains_after_tax():
    rows = [r for r in csv.DictReader(SPY.open()) if "2005-02-25" <= r["date"] <= "2012-12-31"]
    dates = [dt.date.fromisoformat(r["date"]) for r in rows]
    prices = [Decimal(r["SPY"]).quantize(Decimal("0.01")) for r in rows]

    outcome = household_backtest(dates, prices)

    print(
        f"\nhousehold {outcome.household_after_tax} vs per account {outcome.separate_after_tax}"
        f" after tax: {outcome.gain_bp_per_year} bp a year"
    )
    assert outcome.gain_bp_per_year > 0


@pytest.mark.skipif(not SPY.exists(), reason="shared/data/spy_prices.csv not here")
def test_the_command_prints_both_ways_and_the_gain():
    out = StringIO()
    call_command("backtest_household", "--start", "2011-01-01", "--end", "2012-12-31", stdout=out)
    text = out.getvalue()
    assert "managed as one household" in text and "bp a year" in text


def test_the_command_names_a_missing_file():
    with pytest.raises(CommandError, match="--spy-csv"):
        call_command("backtest_household", "--spy-csv", "/nonexistent.csv")
