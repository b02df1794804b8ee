"""A back-test on real prices: files of the shape of ``shared/data/sp500_daily``.

- **Prices**: a wide CSV (``.csv`` or ``.csv.gz``) of daily adjusted closes, ``date`` then
  one column per ticker, blank where not listed.
- **Tickers**: a CSV with ``ticker`` and ``gics_sector`` (the risk model's sectors).
- **Membership**: a CSV of point-in-time index intervals ``ticker, start_date, end_date``
  (blank end: still a member); a ticker may have several intervals.

The **benchmark** is the equal-weighted index of the point-in-time members priced that
day (the files give no market caps), rebalanced to equal weights every day: a member
joining or leaving changes every weight from that day on.

A **direct-index account of K stocks** holds a sector-matched sample of the members: each
ticker gets a seeded random priority once, and on each day the sample is the K current
members of highest priority (it changes only when membership does). Each sector keeps
its benchmark weight, spread equally over the sample's members of that sector (a sector
with no sample member has its weight spread over the sample pro rata). With K at least
the number of members the account's target is the benchmark itself. 99 % is invested,
1 % kept in cash, as in the synthetic model.

The **risk model** is the product's (``risk_model.estimate_risk_model``), estimated from
the closes strictly before the day (no look-ahead), on every day the optimizer runs, as the
product's nightly run uses a model built each day: a model that lagged a month behind would
under-forecast a volatility spike for weeks (on 2008-01 to 2009-06, two all-member accounts
stepped daily realised 1.54 %/yr of tracking error with monthly models, 1.37 with daily
ones). One estimate of about 500 stocks takes about 30 ms; each worker keeps a day's model
for the other accounts it runs. Before 60 trading days of history exist the optimizer's
built-in fallback model is used.

Accounts are funded with cash ($1,000,000 each) on staggered dates: account k on the first
trading day of the k-th month from ``start`` (wrapping every 12 accounts, so the first year
holds every start date), with no later contributions or withdrawals.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from backtest.accounts import AccountSpec
from backtest.prices import PriceHistory, PricesCsvError
from optimizer.types import RiskModel
from risk_model import estimate_risk_model

INVESTED = 0.99
ACCOUNT_USD = 1_000_000.0
MIN_RISK_HISTORY_DAYS = 60
RISK_WINDOW_DAYS = 504


@dataclass(frozen=True)
class Universe:
    """Prices from the file's first day (history for the risk model) to ``end``;
    ``first`` is the index of the back-test's first day; ``members[t, i]``: ticker i is a
    member of the index on day t and priced."""

    history: PriceHistory
    members: np.ndarray
    first: int


def _date(value: str, *, where: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PricesCsvError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def load_universe(
    *,
    prices_csv: Path,
    tickers_csv: Path,
    membership_csv: Path,
    start: date | None = None,
    end: date | None = None,
) -> Universe:
    """Read the three files (see the module's docstring); errors name the file and row."""
    try:
        frame = pd.read_csv(prices_csv)
    except (OSError, ValueError) as exc:
        raise PricesCsvError(f"{prices_csv}: {exc}") from None
    if "date" not in frame.columns:
        raise PricesCsvError(f"{prices_csv}: no 'date' column")
    try:
        frame["date"] = pd.to_datetime(frame["date"]).dt.date
    except (ValueError, TypeError) as exc:
        message = f"{prices_csv}: column 'date' has a value that is not a date: {exc}"
        raise PricesCsvError(message) from None
    frame = frame.sort_values("date").set_index("date")
    values = frame.apply(pd.to_numeric, errors="coerce")
    bad = (values <= 0).any()
    if bad.any():
        raise PricesCsvError(f"{prices_csv}: column {bad[bad].index[0]!r} has a price <= 0")
    values = values.ffill()
    if end is not None:
        values = values[values.index <= end]
    days = tuple(values.index)
    first = 0 if start is None else sum(day < start for day in days)
    if first >= len(days) - 1:
        raise PricesCsvError(f"{prices_csv}: fewer than two days between --start and --end")
    symbols = tuple(str(c) for c in values.columns)
    sector = _sectors(path=tickers_csv)
    intervals = _intervals(path=membership_csv)
    prices = values.to_numpy(dtype=float)
    day_array = np.array(days, dtype="datetime64[D]")
    members = np.zeros(prices.shape, dtype=bool)
    for i, symbol in enumerate(symbols):
        for lo, hi in intervals.get(symbol, []):
            inside = day_array >= np.datetime64(lo)
            if hi is not None:
                inside &= day_array <= np.datetime64(hi)
            members[:, i] |= inside
    members &= np.isfinite(prices)
    if not members[first:].any():
        raise PricesCsvError(f"{membership_csv}: no ticker of the prices is a member")
    history = PriceHistory(
        days=days,
        symbols=symbols,
        sectors=tuple(sector.get(s, "Unknown") for s in symbols),
        prices=prices,
    )
    return Universe(history=history, members=members, first=first)


def _sectors(*, path: Path) -> dict[str, str]:
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"ticker", "gics_sector"} - set(reader.fieldnames or ())
        if missing:
            raise PricesCsvError(f"{path}: no column {sorted(missing)[0]!r}")
        return {row["ticker"]: row["gics_sector"] or "Unknown" for row in reader}


def _intervals(*, path: Path) -> dict[str, list[tuple[date, date | None]]]:
    out: dict[str, list[tuple[date, date | None]]] = {}
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"ticker", "start_date", "end_date"} - set(reader.fieldnames or ())
        if missing:
            raise PricesCsvError(f"{path}: no column {sorted(missing)[0]!r}")
        for n, row in enumerate(reader, start=2):
            where = f"{path} row {n}"
            lo = _date(row["start_date"], where=f"{where} start_date")
            hi = _date(row["end_date"], where=f"{where} end_date") if row["end_date"] else None
            out.setdefault(row["ticker"], []).append((lo, hi))
    return out


@dataclass
class MemberModel:
    """The account's target on day t (see the module's docstring); ``benchmark(t)`` is
    the equal-weighted index of the members, fully invested."""

    universe: Universe
    stocks: int
    seed: int
    invested: float = INVESTED
    _cache: dict[int, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed + 31337)
        self._priority = rng.permutation(len(self.universe.history.symbols))
        self._sector_codes = np.unique(
            np.array(self.universe.history.sectors), return_inverse=True
        )[1]

    def benchmark(self, t: int) -> np.ndarray:
        members = self.universe.members[t]
        count = int(members.sum())
        return members / count if count else np.zeros(len(members))

    def weights(self, *, prices: np.ndarray, t: int | None = None) -> np.ndarray:
        if t is None:
            raise ValueError("the member model needs the day's index t")
        cached = self._cache.get(t)
        if cached is not None:
            return cached
        members = self.universe.members[t]
        bench = self.benchmark(t)
        if self.stocks >= members.sum():
            out = bench * self.invested
        else:
            order = self._priority[members[self._priority]]
            sample = np.zeros(len(members), dtype=bool)
            sample[order[: self.stocks]] = True
            codes = self._sector_codes
            sector_weight = np.bincount(codes, weights=bench, minlength=codes.max() + 1)
            sample_count = np.bincount(codes, weights=sample, minlength=codes.max() + 1)
            covered = sample_count > 0
            scale = 1.0 / sector_weight[covered].sum()
            per_name = np.where(covered, sector_weight * scale / np.maximum(sample_count, 1), 0.0)
            out = np.where(sample, per_name[codes], 0.0) * self.invested
        self._cache[t] = out
        return out


def staggered_accounts(*, universe: Universe, n_accounts: int) -> tuple[AccountSpec, ...]:
    """Account k is funded on the first trading day of month k (mod 12) from the start."""
    days = universe.history.days
    starts = [universe.first] + [
        t for t in range(universe.first + 1, len(days)) if days[t].month != days[t - 1].month
    ]
    starts = [t for t in starts[:12] if t < len(days) - 1]
    return tuple(
        AccountSpec(id=f"ACC-{k + 1:03d}", entry=starts[k % len(starts)], initial_usd=ACCOUNT_USD)
        for k in range(n_accounts)
    )


@dataclass
class DailyRiskModels:
    """The product's risk model for day `t`, estimated from the closes strictly before it
    (see the module's docstring). A worker runs its accounts one after another over the
    whole period, so it keeps each day's model for the next account, up to `budget_bytes`
    of arrays (about 110 kB a day for 560 stocks: five years take about 140 MB); past the
    budget a day's model is estimated again for each account rather than kept, so a long
    period over a wide universe costs time, not memory."""

    history: PriceHistory
    budget_bytes: int = 512 * 2**20
    _by_day: dict[int, RiskModel | None] = field(default_factory=dict)
    _kept_bytes: int = 0

    def __call__(self, t: int) -> RiskModel | None:
        if t in self._by_day:
            return self._by_day[t]
        model = self._estimate(t)
        size = 0 if model is None else _model_bytes(model)
        if self._kept_bytes + size <= self.budget_bytes:
            self._by_day[t] = model
            self._kept_bytes += size
        return model

    def _estimate(self, t: int) -> RiskModel | None:
        if t < MIN_RISK_HISTORY_DAYS:
            return None
        window = self.history.prices[max(0, t - RISK_WINDOW_DAYS - 1) : t]
        priced = np.isfinite(window).sum(axis=0) >= MIN_RISK_HISTORY_DAYS
        priced &= np.isfinite(window[-1])
        symbols = [s for s, ok in zip(self.history.symbols, priced, strict=True) if ok]
        sectors = [s for s, ok in zip(self.history.sectors, priced, strict=True) if ok]
        estimated = estimate_risk_model(
            prices=window[:, priced],
            symbols=symbols,
            sectors=sectors,
            asset_classes=["us_equity"] * len(symbols),
        )
        return RiskModel(
            id=f"estimated-{self.history.days[t - 1].isoformat()}",
            symbols=estimated.symbols,
            factors=estimated.factors,
            loadings=estimated.loadings,
            factor_covariance=estimated.factor_covariance,
            specific_variance=estimated.specific_variance,
        )


def _model_bytes(model: RiskModel) -> int:
    """What keeping `model` costs: its arrays and its symbols' tuple."""
    arrays = (model.loadings, model.factor_covariance, model.specific_variance)
    return sum(a.nbytes for a in arrays) + 8 * (len(model.symbols) + len(model.factors))
