"""Asset location: what it costs in tax, each year, to hold a dollar of an asset class in
each kind of account.

A row of the table gives an asset class's expected yield (income paid out each year), its
tax character (how that income is taxed in a taxable account) and its expected growth (price
return, taxed only when realized). Per dollar held for a year:

    taxable       yield * rate(character) + growth * long_term_rate * GROWTH_REALIZED
    tax_deferred  (yield + growth) * ordinary_rate * DEFERRAL
    tax_exempt    0

rate(character) is the ordinary rate for "ordinary" income (bond interest, REIT
distributions), the long-term rate for "qualified" dividends and 0 for "exempt" interest
(municipal bonds). GROWTH_REALIZED (0.25) is the share of a year's growth a taxable account
is taken to realize in an average year (rebalancing, fund distributions); DEFERRAL (0.5) is
what the tax that a tax-deferred account pays at withdrawal, as ordinary income, is worth
per year today. With the default table and rates of 37 % / 20 %, bonds cost 1.48 %/yr in a
taxable account, 0.74 % in an IRA and nothing in a Roth; broad US equity 0.60 % taxable,
1.39 % IRA; so bonds and REITs go to the tax-deferred account, high-growth equity to the
Roth, tax-efficient equity and municipal bonds to the taxable account.

An account's cash is the `cash` row (interest taxed as ordinary income). The household
optimization (`household.py`) weighs this yearly cost, times a horizon in
years (default 5), against the one-time tax and cost of moving there. A firm may pass its
own table; an asset class the table lacks uses `DEFAULT_ROW` (broad equity).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

CHARACTERS = ("ordinary", "qualified", "exempt")
GROWTH_REALIZED = 0.25
DEFERRAL = 0.5
DEFAULT_HORIZON_YEARS = Decimal("5")
CASH = "cash"
"""The row for an account's cash: its interest is taxed too, so cash is no place to hide
from the table."""


@dataclass(frozen=True)
class LocationRow:
    """One asset class: expected yield and growth (fractions per year) and the yield's tax
    character (one of `CHARACTERS`)."""

    expected_yield: Decimal
    character: str
    expected_growth: Decimal


DEFAULT_ROW = LocationRow(Decimal("0.015"), "qualified", Decimal("0.06"))
DEFAULT_TABLE: Mapping[str, LocationRow] = {
    "us_equity": DEFAULT_ROW,
    "us_large": DEFAULT_ROW,
    "us_small": LocationRow(Decimal("0.012"), "qualified", Decimal("0.08")),
    "intl_developed": LocationRow(Decimal("0.03"), "qualified", Decimal("0.05")),
    "intl_dev": LocationRow(Decimal("0.03"), "qualified", Decimal("0.05")),
    "emerging": LocationRow(Decimal("0.025"), "qualified", Decimal("0.08")),
    "reit": LocationRow(Decimal("0.04"), "ordinary", Decimal("0.03")),
    "us_bond": LocationRow(Decimal("0.04"), "ordinary", Decimal("0")),
    "intl_bond": LocationRow(Decimal("0.03"), "ordinary", Decimal("0")),
    "tips": LocationRow(Decimal("0.035"), "ordinary", Decimal("0")),
    "muni_bond": LocationRow(Decimal("0.03"), "exempt", Decimal("0")),
    CASH: LocationRow(Decimal("0.04"), "ordinary", Decimal("0")),
}


@dataclass(frozen=True)
class Rates:
    """The household's ordinary and long-term rates (fractions)."""

    ordinary: float
    long_term: float


def annual_cost(*, row: LocationRow, tax_status: str, rates: Rates) -> float:
    """Tax per dollar held for a year in an account of `tax_status` (module docstring)."""
    income = float(row.expected_yield)
    growth = float(row.expected_growth)
    if tax_status == "tax_exempt":
        return 0.0
    if tax_status == "tax_deferred":
        return (income + growth) * rates.ordinary * DEFERRAL
    rate = {"ordinary": rates.ordinary, "qualified": rates.long_term, "exempt": 0.0}
    return income * rate[row.character] + growth * rates.long_term * GROWTH_REALIZED


def row_for(table: Mapping[str, LocationRow], asset_class: str) -> LocationRow:
    return table.get(asset_class, DEFAULT_ROW)


def check_table(table: Mapping[str, LocationRow]) -> None:
    """A clear error naming the asset class and field of a bad row."""
    for name, row in table.items():
        if row.character not in CHARACTERS:
            raise ValueError(
                f"location_table.{name}.character must be one of {', '.join(CHARACTERS)}"
            )
        for field in ("expected_yield", "expected_growth"):
            value = getattr(row, field)
            if not Decimal("-1") < value < Decimal("1"):
                raise ValueError(f"location_table.{name}.{field} must be a yearly fraction")
