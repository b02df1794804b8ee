"""A household back-test: a taxable account, an IRA and a Roth, managed as one household
(`optimizer.household.optimize_household`) or each on its own (`optimize_separately`), and
the after-tax value each way.

The household starts with $100,000 in each account, in cash, and a target of 60 % broad US
equity and 39 % bonds (1 % cash) of its total; managed per account, each account follows
that target itself. Every quarter (the first trading day of January, April, July and
October) the optimizer proposes trades, which fill at that day's close.

- Equity: SPY's adjusted closes (dividends reinvested in the price, so no dividend tax is
  charged: this leaves the taxable account's equity a little better off than it is).
- Bonds: the data has no bond prices, so a documented series stands in: a fund at a constant
  $100 that pays 4 % a year as monthly interest (ordinary income), about the middle of
  the US aggregate bond index's yields over 2005-2012 (2 % to 5 %). A constant price leaves
  out rate moves, which asset location does not change; what location changes, the tax on
  the income, is what the series keeps.
- Tax: the taxable account pays, each year, 37 % on interest and short-term gains and 20 %
  on long-term gains (net of the year's losses, no carryforward), out of its cash at the
  next rebalance. At the end, the taxable account is valued after selling everything (20 %
  on its unrealized gain), the IRA after a 37 % tax on withdrawal, the Roth as it is.

`household_backtest(dates, spy)` returns both after-tax values and the household's gain
per year in basis points of the starting $300,000.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from money import CENT
from optimizer.household import HouseholdCase, optimize_household, optimize_separately
from optimizer.types import (
    Case,
    Lots,
    OptimizeResult,
    Preferences,
    RiskPreferences,
    Securities,
    TaxPreferences,
    TradingPreferences,
)

BOND_PRICE = Decimal("100")
BOND_YIELD = Decimal("0.04")
ORDINARY = Decimal("0.37")
LONG_TERM = Decimal("0.20")
START_USD = Decimal("100000")
TARGET = {"SPY": Decimal("0.60"), "BND": Decimal("0.39")}
STATUSES = ("taxable", "tax_deferred", "tax_exempt")


@dataclass
class _Account:
    status: str
    cash: Decimal = START_USD
    lots: list[tuple[str, str, Decimal, Decimal, dt.date]] = field(default_factory=list)
    income: Decimal = Decimal(0)
    short_gain: Decimal = Decimal(0)
    long_gain: Decimal = Decimal(0)
    tax_due: Decimal = Decimal(0)

    def shares(self, symbol: str) -> Decimal:
        return sum((q for _, s, q, _, _ in self.lots if s == symbol), Decimal(0))


@dataclass(frozen=True)
class HouseholdBacktest:
    start: dt.date
    end: dt.date
    household_after_tax: Decimal
    separate_after_tax: Decimal
    gain_bp_per_year: Decimal


Solve = Callable[[list[Case], dt.date], Sequence[OptimizeResult]]


def _case(k: int, account: _Account, day: dt.date, spy: Decimal) -> Case:
    securities = Securities.from_rows(
        [("BND", BOND_PRICE, "us_bond", None, "BND"), ("SPY", spy, "us_equity", None, "SPY")]
    )
    return Case(
        account_id=f"{account.status}-{k}",
        as_of=day,
        tax_status=account.status,
        cash=account.cash.quantize(CENT),
        securities=securities,
        lots=Lots.from_rows(account.lots),
        target=TARGET,
        preferences=Preferences(
            tax=TaxPreferences(short_term_rate=ORDINARY, long_term_rate=LONG_TERM),
            trading=TradingPreferences(cost_bps=Decimal("2"), fractional_shares=True),
            risk=RiskPreferences(tracking_error_limit_pct=Decimal("0.5")),
        ),
    )


def _apply(account: _Account, result: OptimizeResult, day: dt.date, serial: list[int]) -> None:
    if result.status != "optimal" or result.cash_after is None:
        return
    sold: dict[str, Decimal] = {}
    for trade in result.trades:
        for relief in trade.lots:
            sold[relief.lot] = sold.get(relief.lot, Decimal(0)) + relief.quantity
            if relief.term == "short":
                account.short_gain += relief.gain
            else:
                account.long_gain += relief.gain
    kept = []
    for lot_id, symbol, qty, basis, acquired in account.lots:
        out = sold.get(lot_id, Decimal(0))
        if out < qty:
            kept.append((lot_id, symbol, qty - out, basis * (qty - out) / qty, acquired))
    for trade in result.trades:
        if trade.side == "buy":
            serial[0] += 1
            kept.append((f"L{serial[0]}", trade.symbol, trade.quantity, trade.value, day))
    account.lots = kept
    account.cash = result.cash_after


def _year_end(account: _Account) -> None:
    if account.status != "taxable":
        return
    gains = account.short_gain + account.long_gain
    short = max(Decimal(0), min(account.short_gain, gains))
    long = max(Decimal(0), gains - short)
    account.tax_due += ORDINARY * (account.income + short) + LONG_TERM * long
    account.income = account.short_gain = account.long_gain = Decimal(0)


def _run(dates: Sequence[dt.date], spy: Sequence[Decimal], solve: Solve) -> Decimal:
    accounts = [_Account(status) for status in STATUSES]
    serial = [0]
    last_month = dates[0].month
    for i, day in enumerate(dates):
        if day.month != last_month:
            for account in accounts:  # a month's interest, paid on its first trading day
                interest = account.shares("BND") * BOND_PRICE * BOND_YIELD / 12
                account.cash += interest
                if account.status == "taxable":
                    account.income += interest
            if day.month == 1:
                for account in accounts:
                    _year_end(account)
            last_month = day.month
            if day.month in (1, 4, 7, 10) or i == 0:
                _rebalance(accounts, day, spy[i], solve, serial)
        elif i == 0:
            _rebalance(accounts, day, spy[i], solve, serial)
    for account in accounts:
        _year_end(account)
    return _after_tax(accounts, spy[-1])


def _rebalance(
    accounts: list[_Account], day: dt.date, spy: Decimal, solve: Solve, serial: list[int]
) -> None:
    for account in accounts:  # last year's tax leaves the taxable account now
        account.cash -= account.tax_due
        account.tax_due = Decimal(0)
    cases = [_case(k, a, day, spy) for k, a in enumerate(accounts)]
    for account, result in zip(accounts, solve(cases, day), strict=True):
        _apply(account, result, day, serial)


def _after_tax(accounts: list[_Account], spy: Decimal) -> Decimal:
    total = Decimal(0)
    for account in accounts:
        value = account.cash - account.tax_due
        unrealized = Decimal(0)
        for _, symbol, qty, basis, _ in account.lots:
            price = spy if symbol == "SPY" else BOND_PRICE
            value += qty * price
            unrealized += qty * price - basis
        if account.status == "taxable":
            value -= LONG_TERM * max(Decimal(0), unrealized)
        elif account.status == "tax_deferred":
            value *= 1 - ORDINARY
        total += value
    return total.quantize(CENT)


def _together(cases: list[Case], day: dt.date) -> Sequence[OptimizeResult]:
    result = optimize_household(
        HouseholdCase(
            household_id="backtest",
            as_of=day,
            accounts=tuple(cases),
            target=TARGET,
            tracking_error_limit_pct=Decimal("0.5"),
        )
    )
    if result.status != "optimal":
        return optimize_separately(cases)
    return result.accounts


def _apart(cases: list[Case], day: dt.date) -> Sequence[OptimizeResult]:
    return optimize_separately([replace(c, target=TARGET) for c in cases])


def household_backtest(dates: Sequence[dt.date], spy: Sequence[Decimal]) -> HouseholdBacktest:
    """Both ways over `dates` with SPY's closes `spy` (module docstring)."""
    together = _run(dates, spy, _together)
    apart = _run(dates, spy, _apart)
    years = Decimal((dates[-1] - dates[0]).days) / Decimal("365.25")
    start = START_USD * len(STATUSES)
    gain = (together - apart) / start / years * 10_000
    return HouseholdBacktest(
        start=dates[0],
        end=dates[-1],
        household_after_tax=together,
        separate_after_tax=apart,
        gain_bp_per_year=gain.quantize(CENT),
    )
