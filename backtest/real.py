"""A back-test on real prices: files of the shape of ``shared/data/sp500_daily``.

- **Prices**: a wide CSV (``.csv`` or ``.csv.gz``) of daily adjusted closes, ``date`` then
  one column per ticker, blank where not listed (`backtest.prices.read_closes_csv`: a
  blank between two closes takes the one before; after the last close the ticker is
  delisted).
- **Tickers**: a CSV with ``ticker`` and ``gics_sector`` (the risk model's sectors; any
  names; blank or absent: "Unknown"); other columns are ignored.
- **Membership**: a CSV of point-in-time index intervals ``ticker, start_date, end_date``
  (both ends included; blank end: still a member); a ticker may have several intervals.
  A member is in the index only on the days it has a close: a member without closes is
  left out, and one whose closes end leaves the index after its last close.

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

from backtest.accounts import AccountSpec
from backtest.prices import PriceHistory, PricesCsvError, read_closes_csv
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
    member of the index on day t and priced. ``notes``: what the files left out or the
    back-test had to decide (members without closes, delistings, missing sectors), one
    sentence each, for the user."""

    history: PriceHistory
    members: np.ndarray
    first: int
    notes: tuple[str, ...] = ()


Interval = tuple[date, date | None]


def load_universe(
    *,
    prices_csv: Path,
    tickers_csv: Path,
    membership_csv: Path,
    start: date | None = None,
    end: date | None = None,
) -> Universe:
    """Read the three files (see the module's docstring and `read_closes_csv`); errors
    name the file and the row, column or date."""
    closes = read_closes_csv(prices_csv)
    span = f"its dates run {closes.index[0]} to {closes.index[-1]}" if len(closes) else "no rows"
    if end is not None:
        closes = closes[closes.index <= end]
    days = tuple(closes.index)
    first = 0 if start is None else sum(day < start for day in days)
    if first >= len(days) - 1:
        asked = f"from {start or 'the first day'} to {end or 'the last day'}"
        raise PricesCsvError(f"{prices_csv}: fewer than two days {asked} ({span})")
    symbols = tuple(str(c) for c in closes.columns)
    sector = _sectors(path=tickers_csv)
    intervals = _intervals(path=membership_csv)
    prices = closes.to_numpy(dtype=float)
    day_array = np.array(days, dtype="datetime64[D]")
    members = np.zeros(prices.shape, dtype=bool)
    for i, symbol in enumerate(symbols):
        for lo, hi in intervals.get(symbol, []):
            inside = day_array >= np.datetime64(lo)
            if hi is not None:
                inside &= day_array <= np.datetime64(hi)
            members[:, i] |= inside
    listed = members.copy()
    members &= np.isfinite(prices)
    if not members[first:].any():
        raise PricesCsvError(
            f"{membership_csv}: no ticker of the prices is a member from {days[first]} to "
            f"{days[-1]} (tickers are matched to the prices' column names exactly)"
        )
    history = PriceHistory(
        days=days,
        symbols=symbols,
        sectors=tuple(sector.get(s, "Unknown") for s in symbols),
        prices=prices,
    )
    notes = _notes(
        history=history,
        first=first,
        listed=listed,
        members=members,
        intervals=intervals,
        sectors=sector,
    )
    return Universe(history=history, members=members, first=first, notes=notes)


def _notes(
    *,
    history: PriceHistory,
    first: int,
    listed: np.ndarray,
    members: np.ndarray,
    intervals: dict[str, list[Interval]],
    sectors: dict[str, str],
) -> tuple[str, ...]:
    """What the user should know of the files over the back-test's days (see `Universe`)."""
    days = history.days
    lo, hi = days[first], days[-1]
    symbols = set(history.symbols)
    in_period = {
        s
        for s, spans in intervals.items()
        if any(a <= hi and (b is None or b >= lo) for a, b in spans)
    }
    ever = [bool(m) for m in np.any(members[first:], axis=0).tolist()]
    unpriced = sorted(
        (in_period - symbols)
        | {s for s, m in zip(history.symbols, ever, strict=True) if s in in_period and not m}
    )
    priced = np.isfinite(history.prices)
    ends = priced[first:-1] & ~priced[first + 1 :] & listed[first + 1 :]
    delisted = [
        f"{history.symbols[i]} ({days[first + t]})" for t, i in zip(*np.nonzero(ends), strict=True)
    ]
    no_sector = sorted(
        s for s, m in zip(history.symbols, ever, strict=True) if m and s not in sectors
    )
    notes = []
    if unpriced:
        notes.append(
            f"{len(unpriced)} tickers are members in the membership file but have no close in "
            f"the prices from {lo} to {hi}, so the index leaves them out: {_some(unpriced)}"
        )
    if delisted:
        notes.append(
            f"{len(delisted)} members' closes end while they are members (delisted: the index "
            "drops them after their last close, and every account sells what it holds at "
            f"that close on the next trading day): {_some(delisted)}"
        )
    if no_sector:
        notes.append(
            f"{len(no_sector)} members have no sector in the tickers file (sector "
            f"'Unknown'): {_some(no_sector)}"
        )
    return tuple(notes)


def _some(names: list[str], shown: int = 8) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _date(value: str | None, *, where: str) -> date:
    if value is None or not value.strip():
        raise PricesCsvError(f"{where}: blank (a date YYYY-MM-DD is needed)")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PricesCsvError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _sectors(*, path: Path) -> dict[str, str]:
    """Each ticker's sector (a blank one is left out); a ticker given two is refused."""
    out: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"ticker", "gics_sector"} - set(reader.fieldnames or ())
        if missing:
            raise PricesCsvError(f"{path}: no column {sorted(missing)[0]!r}")
        for n, row in enumerate(reader, start=2):
            ticker = (row["ticker"] or "").strip()
            sector = (row["gics_sector"] or "").strip()
            if not ticker:
                raise PricesCsvError(f"{path} row {n}: the ticker is blank")
            if not sector:
                continue
            if out.get(ticker, sector) != sector:
                raise PricesCsvError(
                    f"{path} row {n}: {ticker} has sector {sector!r} here and "
                    f"{out[ticker]!r} on an earlier row"
                )
            out[ticker] = sector
    return out


def _intervals(*, path: Path) -> dict[str, list[Interval]]:
    """Each ticker's membership intervals, both ends included (a blank end: still a member)."""
    out: dict[str, list[Interval]] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"ticker", "start_date", "end_date"} - set(reader.fieldnames or ())
        if missing:
            raise PricesCsvError(f"{path}: no column {sorted(missing)[0]!r}")
        for n, row in enumerate(reader, start=2):
            where = f"{path} row {n}"
            ticker = (row["ticker"] or "").strip()
            if not ticker:
                raise PricesCsvError(f"{where}: the ticker is blank")
            lo = _date(row["start_date"], where=f"{where} start_date")
            end = (row["end_date"] or "").strip()
            hi = _date(end, where=f"{where} end_date") if end else None
            if hi is not None and hi < lo:
                raise PricesCsvError(f"{where}: end_date {hi} is before start_date {lo}")
            out.setdefault(ticker, []).append((lo, hi))
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
