"""What a household managed as one is solved over (`household.py`): its accounts' cases on one
universe with the household's wash-sale windows, its held-away dollars, the rates its asset
location is priced at, and the figures its summary reports (drift, the yearly tax of where
its assets sit)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

import numpy as np

from money import cents_half_up
from optimizer.drift import effective_drift
from optimizer.errors import OptimizerInputError
from optimizer.household_types import HeldAway, HouseholdCase
from optimizer.location import Rates
from optimizer.prepare import Prepared
from optimizer.types import Case, RecentBuy, RecentLossSale, Securities, TaxPreferences

_E = TypeVar("_E", RecentBuy, RecentLossSale)


def universe(cases: Iterable[Case]) -> Securities:
    """Every security of the household's accounts, each once (the first account's row)."""
    rows: dict[str, tuple[str, Decimal, str, str | None, str]] = {}
    for case in cases:
        sec = case.securities
        for i, symbol in enumerate(sec.symbol.tolist()):
            rows.setdefault(
                symbol,
                (
                    symbol,
                    sec.price[i],
                    str(sec.asset_class[i]),
                    sec.sector[i],
                    str(sec.identical_group[i]),
                ),
            )
    return Securities.from_rows(rows.values())


def household_cases(household: HouseholdCase) -> tuple[Case, ...]:
    """Each account's case over the household's securities, with every recent purchase and
    loss sale of the household (held-away accounts' included) in its wash-sale windows."""
    securities = universe(household.accounts)
    known = set(securities.symbol.tolist())
    buys = _events(
        [c.recent_buys for c in household.accounts] + [a.recent_buys for a in household.held_away],
        known,
    )
    losses = _events(
        [c.recent_loss_sales for c in household.accounts]
        + [a.recent_loss_sales for a in household.held_away],
        known,
    )
    for symbol in household.target:
        if symbol not in known:
            raise OptimizerInputError(
                case=household.household_id,
                field=f"target.{symbol}",
                message="no account of the household lists it",
            )
    return tuple(
        replace(
            case,
            securities=securities,
            recent_buys=buys,
            recent_loss_sales=losses,
            risk_model=household.risk_model,
        )
        for case in household.accounts
    )


def _events(groups: list[tuple[_E, ...]], known: set[str]) -> tuple[_E, ...]:
    seen: dict[_E, None] = {}
    for events in groups:
        for event in events:
            if event.symbol in known:
                seen.setdefault(event, None)
    return tuple(seen)


def location_rates(cases: Iterable[Case]) -> Rates:
    """The first taxable account's rates (its short-term rate as the ordinary rate), or the
    defaults."""
    tax = next((c.preferences.tax for c in cases if c.tax_status == "taxable"), TaxPreferences())
    return Rates(ordinary=float(tax.short_term_rate), long_term=float(tax.long_term_rate))


def held_away_dollars(accounts: Iterable[HeldAway], symbols: tuple[str, ...]) -> np.ndarray:
    """Dollars per security held away that count toward the household's allocation
    (symbols outside the household's securities are left out)."""
    position = {s: i for i, s in enumerate(symbols)}
    out = np.zeros(len(symbols))
    for away in accounts:
        if not away.counts_toward_allocation:
            continue
        for symbol, dollars in away.values.items():
            if symbol in position:
                out[position[symbol]] += float(dollars)
    return out


def holdings_drift(
    dollars: np.ndarray,
    cash: float,
    symbols: tuple[str, ...],
    target: Mapping[str, Decimal],
    lines: dict[str, str],
) -> float:
    """The household's effective drift (`drift.py`) of `dollars` per security (in the
    order of `symbols`) and `cash` against its `target`."""
    values = {s: float(v) for s, v in zip(symbols, dollars, strict=True) if v}
    return effective_drift(values=values, cash=cash, target=target, lines=lines)


def location_tax(
    preps: tuple[Prepared, ...],
    held: list[np.ndarray],
    cash: list[float],
    location: np.ndarray,
    cash_location: np.ndarray,
) -> Decimal:
    """Dollars a year that where the household's assets and cash sit costs in tax
    (`location.py`)."""
    total = sum(
        float((qty * prep.price) @ location[a]) + cash[a] * float(cash_location[a])
        for a, (prep, qty) in enumerate(zip(preps, held, strict=True))
    )
    return cents_half_up(Decimal(repr(total)))
