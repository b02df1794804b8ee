"""An account's taxes year by year, two ways, through the product's Schedule D module.

- **Full loss use** (the papers' assumption): each year's deductible short-term gains are
  taxed (or a loss refunded) at the short-term rate and long-term ones at the long-term
  rate, as if the client always had other gains for the losses to offset.
- **Realistic loss use**: the account is one filer's only portfolio; each year's gains go
  through ``lot_engine.schedule_d`` (short against short, long against long, then across,
  a net loss deducted from ordinary income up to $3,000 at the ordinary rate, i.e. the
  short-term rate, the rest carried forward with its character). ``other_gains_usd``: the
  filer's long-term gains realized elsewhere each year (default none), which the
  portfolio's losses offset first; only the tax the portfolio adds to them is the
  portfolio's. A carried loss still gives its $3,000 in years the account realizes
  nothing, so every year from the first realization is settled.

Wash sales are already applied: the amounts are the deductible ones (a disallowed loss is
in the replacement's basis, as the lot engine has it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from backtest.ledger import Realized
from lot_engine.schedule_d import Carryforward, Rates, YearGains, net_year

FULL = "full"
REALISTIC = "realistic"
LOSS_USES = (REALISTIC, FULL)


@dataclass(frozen=True)
class YearTaxes:
    """Tax by year (negative: a refund or a deduction's saving) and the losses carried
    out of the last year, by character (realistic use only; zero for full use)."""

    by_year: dict[int, float]
    carried_out: Carryforward


def _cents(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def year_taxes(
    *,
    rows: Iterable[Realized],
    years: range,
    short_term_rate: float,
    long_term_rate: float,
    loss_use: str,
    other_gains_usd: float = 0.0,
    extra: dict[int, tuple[float, float]] | None = None,
) -> YearTaxes:
    """Each year of `years`' tax on the realized `rows` (plus `extra`: year -> short- and
    long-term gains, e.g. a final liquidation), `loss_use` as above."""
    if loss_use not in LOSS_USES:
        raise ValueError(f"loss_use must be one of {LOSS_USES}, not {loss_use!r}")
    short: dict[int, float] = {}
    long: dict[int, float] = {}
    for row in rows:
        bucket = long if row.long_term else short
        bucket[row.sold.year] = bucket.get(row.sold.year, 0.0) + row.deductible
    for year, (more_short, more_long) in (extra or {}).items():
        short[year] = short.get(year, 0.0) + more_short
        long[year] = long.get(year, 0.0) + more_long
    out: dict[int, float] = {}
    if loss_use == FULL:
        for year in years:
            tax = short_term_rate * short.get(year, 0.0) + long_term_rate * long.get(year, 0.0)
            out[year] = round(tax, 2)
        return YearTaxes(by_year=out, carried_out=Carryforward())
    rates = Rates(ordinary=Decimal(str(short_term_rate)), long_term=Decimal(str(long_term_rate)))
    other = _cents(other_gains_usd)
    alone = other * rates.long_term
    carry = Carryforward()
    for year in years:
        netted = net_year(
            gains=YearGains(
                short_term_usd=_cents(short.get(year, 0.0)),
                long_term_usd=_cents(long.get(year, 0.0)) + other,
            ),
            carried_in=carry,
        )
        out[year] = round(float(netted.tax_usd(rates) - alone), 2)
        carry = netted.carried_out
    return YearTaxes(by_year=out, carried_out=carry)


def taxes_due(
    *,
    rows: Sequence[Realized],
    settled: set[int],
    day: date,
    final: bool,
    short_term_rate: float,
    long_term_rate: float,
    loss_use: str,
    other_gains_usd: float,
) -> list[float]:
    """The tax of each year that falls due on `day` and is not in `settled` (each is added
    to it), oldest first: tax year Y falls due from 15 April of Y + 1, and every open year
    on the `final` day. Every year from the first realized row's is settled."""
    if not rows:
        return []
    due = day.year if final else day.year - (1 if (day.month, day.day) >= (4, 15) else 2)
    years = range(rows[0].sold.year, due + 1)
    fresh = [year for year in years if year not in settled]
    if not fresh:
        return []
    taxes = year_taxes(
        rows=rows,
        years=years,
        short_term_rate=short_term_rate,
        long_term_rate=long_term_rate,
        loss_use=loss_use,
        other_gains_usd=other_gains_usd,
    )
    settled.update(fresh)
    return [taxes.by_year[year] for year in fresh]
