"""Daily prices for a back-test: a seeded synthetic factor model, or a user's CSV.

Either way the result is a `PriceHistory`: trading days, symbols with their sector, and a
days x symbols array of closing prices (NaN before a symbol lists). Total-return prices:
dividends are assumed reinvested in the price, as in an adjusted-close series.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

TRADING_DAYS_PER_YEAR = 252
SECTOR_NAMES = (
    "Communication",
    "Consumer Discretionary",
    "Consumer Staples",
    "Energy",
    "Financials",
    "Health Care",
    "Industrials",
    "Information Technology",
    "Materials",
    "Real Estate",
    "Utilities",
)


@dataclass(frozen=True)
class PriceHistory:
    """`prices[t, i]`: close of `symbols[i]` on `days[t]`; NaN before the symbol lists."""

    days: tuple[date, ...]
    symbols: tuple[str, ...]
    sectors: tuple[str, ...]
    prices: np.ndarray

    @property
    def n_days(self) -> int:
        return len(self.days)


@dataclass(frozen=True)
class FactorSettings:
    """Annualized parameters of the synthetic model (fractions, not percent).

    Daily log return of stock i in sector s: mu_i/252 + beta_i * m_t + g_{s,t} + e_{i,t},
    with m (market) ~ N(0, market_vol^2/252), g (sector) ~ N(0, sector_vol^2/252) and
    e (idiosyncratic) ~ N(0, idio_vol_i^2/252), idio_vol_i lognormal around the median,
    kept within half and two and a half times it. Expected returns differ between stocks
    (`drift_dispersion`), which is what spreads winners from losers over the years.
    """

    market_drift: float = 0.07
    drift_dispersion: float = 0.02
    market_vol: float = 0.16
    sector_vol: float = 0.08
    idio_vol_median: float = 0.25
    idio_vol_spread: float = 0.35
    beta_std: float = 0.25


def synthetic_prices(
    *,
    n_stocks: int,
    years: float,
    seed: int,
    start: date = date(2000, 1, 3),
    settings: FactorSettings | None = None,
) -> PriceHistory:
    """A seeded market + sector + idiosyncratic factor model on business days from `start`.

    Stocks are named S000, S001, ...; each belongs to one of the 11 GICS-like sectors.
    Starting prices are between $20 and $200. Every stock is listed from day 0.
    """
    cfg = settings or FactorSettings()
    rng = np.random.default_rng(seed)
    n_days = int(round(years * TRADING_DAYS_PER_YEAR)) + 1
    days = tuple(d.date() for d in pd.bdate_range(start=start, periods=n_days))
    sector_of = rng.integers(0, len(SECTOR_NAMES), size=n_stocks)
    beta = rng.normal(1.0, cfg.beta_std, size=n_stocks).clip(0.3, 2.0)
    idio_vol = cfg.idio_vol_median * rng.lognormal(0.0, cfg.idio_vol_spread, size=n_stocks)
    idio_vol = idio_vol.clip(0.5 * cfg.idio_vol_median, 2.5 * cfg.idio_vol_median)
    drift = cfg.market_drift + rng.normal(0.0, cfg.drift_dispersion, size=n_stocks)
    dt = 1.0 / TRADING_DAYS_PER_YEAR
    market = rng.normal(0.0, cfg.market_vol * np.sqrt(dt), size=n_days - 1)
    sector = rng.normal(0.0, cfg.sector_vol * np.sqrt(dt), size=(n_days - 1, len(SECTOR_NAMES)))
    idio = rng.normal(0.0, 1.0, size=(n_days - 1, n_stocks)) * idio_vol * np.sqrt(dt)
    total_var = beta**2 * cfg.market_vol**2 + cfg.sector_vol**2 + idio_vol**2
    mean = (drift - 0.5 * total_var) * dt
    log_returns = mean + np.outer(market, beta) + sector[:, sector_of] + idio
    start_price = rng.uniform(20.0, 200.0, size=n_stocks)
    paths = np.vstack([np.zeros(n_stocks), np.cumsum(log_returns, axis=0)])
    prices = start_price * np.exp(paths)
    return PriceHistory(
        days=days,
        symbols=tuple(f"S{i:03d}" for i in range(n_stocks)),
        sectors=tuple(SECTOR_NAMES[s] for s in sector_of),
        prices=prices,
    )


class PricesCsvError(ValueError):
    """A file of the back-test cannot be used; the message names the file, and the column,
    row or date at fault."""


def read_closes_csv(path: Path) -> pd.DataFrame:
    """A wide CSV of daily closes (`date`, then one column per symbol, in any order; plain
    or compressed as its name says) as a days x symbols frame of floats, oldest first.

    A blank cell (or NA, N/A, null, ...) is no close. Blanks before a symbol's first close
    (not listed yet) and after its last (delisted: the back-test sells it at that close,
    see `backtest.simulator`) stay NaN; a blank between two closes (a day without a
    trade) takes the close before it. A column with no name and no close (a trailing comma
    on every line) is dropped. Refused, naming the column and the date: a symbol with two
    columns, a named-less column with closes, a cell that is not a number, a close of zero
    or below (blank the cell if the stock did not trade), a date that is not one or appears
    twice."""
    try:
        header = pd.read_csv(path, header=None, nrows=1, dtype=str).iloc[0].tolist()
        frame = pd.read_csv(path, low_memory=False)
    except (OSError, ValueError, EOFError) as exc:
        raise PricesCsvError(f"{path}: {exc}") from None
    names = ["" if pd.isna(name) else str(name).strip() for name in header]
    frame.columns = names
    seen: set[str] = set()
    for k, name in enumerate(names):
        if name and name in seen:
            raise PricesCsvError(f"{path}: ticker {name!r} has two columns")
        seen.add(name)
        if not name and frame.iloc[:, k].notna().any():
            raise PricesCsvError(f"{path}: column {k + 1} has closes but no ticker name")
    if "date" not in seen:
        raise PricesCsvError(f"{path}: no 'date' column (columns: {names[:5]}...)")
    frame = frame.loc[:, [bool(name) for name in names]]
    days = _closes_dates(frame["date"], path=path)
    text = frame.drop(columns="date")
    text.index = pd.Index(days)
    values = text.apply(_numbers).astype(float)
    _refuse_bad_closes(text=text, values=values, path=path)
    values = values.sort_index()
    return values.ffill().where(values.bfill().notna())


def _numbers(column: pd.Series) -> pd.Series:
    """A column as read (numbers, or text where some cell is not one) as numbers, a cell
    that is not one NaN; numbers are kept as the reader parsed them."""
    if pd.api.types.is_numeric_dtype(column):
        return column
    return pd.to_numeric(column.astype("string").str.strip(), errors="coerce")


def _closes_dates(column: pd.Series, *, path: Path) -> list[date]:
    parsed = pd.to_datetime(column.astype("string").str.strip(), errors="coerce")
    if parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        value = column.iloc[row]
        shown = "blank" if pd.isna(value) else f"{value!r}, not a date (YYYY-MM-DD)"
        raise PricesCsvError(f"{path} row {row + 2}: the date is {shown}")
    days = [stamp.date() for stamp in parsed]
    twice = parsed[parsed.duplicated()]
    if len(twice):
        raise PricesCsvError(f"{path}: date {twice.iloc[0].date()} appears twice")
    return days


def _refuse_bad_closes(*, text: pd.DataFrame, values: pd.DataFrame, path: Path) -> None:
    """Refuse a cell that is not a number, and a close that is not above zero."""
    for mask, what in (
        (text.notna().to_numpy() & ~np.isfinite(values.to_numpy()), "is not a number"),
        (values.to_numpy() <= 0, "is not above zero (blank the cell if the stock did not trade)"),
    ):
        if mask.any():
            row, col = (int(k[0]) for k in np.nonzero(mask))
            raise PricesCsvError(
                f"{path}: {text.columns[col]} on {text.index[row]}: "
                f"{str(text.iat[row, col]).strip()!r} {what}"
            )


def load_prices_csv(
    *, path: Path, start: date | None = None, years: float | None = None
) -> PriceHistory:
    """Read a CSV of daily closes (see `read_closes_csv`); `start` and `years` cut a
    window out of the file. Sectors are unknown ("Unknown")."""
    values = read_closes_csv(path)
    if start is not None:
        values = values[values.index >= start]
    if years is not None:
        values = values.iloc[: int(round(years * TRADING_DAYS_PER_YEAR)) + 1]
    values = values.loc[:, values.notna().any()]
    if len(values) < 2 or values.shape[1] == 0:
        raise PricesCsvError(f"{path}: fewer than two days or no symbol with a price")
    return PriceHistory(
        days=tuple(values.index),
        symbols=tuple(values.columns),
        sectors=tuple("Unknown" for _ in values.columns),
        prices=values.to_numpy(dtype=float),
    )
