"""Daily closes from a seeded factor model, stored once and shared by every firm.

Each day's log return is built from a market factor (Student-t shocks with GARCH(1,1)
volatility clustering), one factor per GICS sector, one per ETF asset class, one per
identical group (the index an ETF tracks) and an idiosyncratic term per security:

- stock ``i`` in sector ``k``: ``r = beta_i * m + s_k + e_i`` (idiosyncratic vol 15-35 %);
- ETF of asset class ``c`` in group ``g``: ``r = a_c * m + f_c + u_g + e_i``, so funds that
  track one index move together, and swap partners (another index) nearly so.

Every series is drawn from its own generator, keyed by a fixed seed and the series' name,
and paths start on ``ORIGIN``: the close of a security on a date is the same whatever the
end date or the other securities, so firms seeded on different days share one history.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from models_library.models import Price, Security

from .market_calendar import trading_days
from .reference import EtfRow, StockRow

PRICE_SEED = 26
ORIGIN = dt.date(2020, 1, 2)
HISTORY_DAYS = 520
DAYS_PER_YEAR = 252

MARKET_DRIFT = 0.08
MARKET_VOL = 0.16
GARCH_ALPHA, GARCH_BETA = 0.08, 0.90
T_DEGREES = 5

SECTOR_BETA: dict[str, float] = {
    "Information Technology": 1.25,
    "Communication Services": 1.10,
    "Consumer Discretionary": 1.15,
    "Financials": 1.05,
    "Industrials": 1.00,
    "Materials": 1.00,
    "Energy": 0.90,
    "Health Care": 0.75,
    "Real Estate": 0.85,
    "Consumer Staples": 0.60,
    "Utilities": 0.50,
}
SECTOR_VOL: dict[str, float] = {"Energy": 0.18, "Information Technology": 0.12}
DEFAULT_SECTOR_VOL = 0.08

# asset class -> (loading on the market, own factor's annual vol, own annual drift)
ASSET_CLASS_FACTORS: dict[str, tuple[float, float, float]] = {
    "us_equity": (1.00, 0.00, 0.00),
    "intl_developed": (0.75, 0.09, 0.01),
    "emerging": (0.80, 0.14, 0.00),
    "us_bond": (-0.03, 0.055, 0.02),
    "tips": (0.00, 0.045, 0.02),
    "intl_bond": (0.00, 0.040, 0.015),
}
GROUP_VOL = 0.008
FUND_VOL = 0.001


@dataclass(frozen=True)
class PriceHistory:
    """The stored closes over the demo window, aligned with ``days`` (ascending)."""

    days: tuple[dt.date, ...]
    closes: dict[str, tuple[Decimal, ...]]

    @property
    def last_day(self) -> dt.date:
        return self.days[-1]


def _generator(name: str) -> np.random.Generator:
    return np.random.default_rng([PRICE_SEED, zlib.crc32(name.encode("utf-8"))])


def _normals(name: str, *, count: int, annual_vol: float) -> np.ndarray:
    return _generator(name).standard_normal(count) * annual_vol / np.sqrt(DAYS_PER_YEAR)


def _market_returns(count: int) -> np.ndarray:
    rng = _generator("market")
    shocks = rng.standard_t(T_DEGREES, count) * np.sqrt((T_DEGREES - 2) / T_DEGREES)
    long_run = MARKET_VOL**2 / DAYS_PER_YEAR
    omega = long_run * (1 - GARCH_ALPHA - GARCH_BETA)
    returns = np.empty(count)
    variance = long_run
    for day in range(count):
        returns[day] = np.sqrt(variance) * shocks[day]
        variance = omega + GARCH_ALPHA * returns[day] ** 2 + GARCH_BETA * variance
    return returns + MARKET_DRIFT / DAYS_PER_YEAR


def _path(*, origin_price: float, returns: np.ndarray) -> np.ndarray:
    returns = returns.copy()
    returns[0] = 0.0
    return origin_price * np.exp(np.cumsum(returns))


def _stock_paths(*, stocks: list[StockRow], market: np.ndarray) -> dict[str, np.ndarray]:
    count = len(market)
    sectors = {
        sector: _normals(
            f"sector:{sector}", count=count, annual_vol=SECTOR_VOL.get(sector, DEFAULT_SECTOR_VOL)
        )
        for sector in sorted({stock.sector for stock in stocks})
    }
    paths = {}
    for stock in stocks:
        traits = _generator(f"traits:{stock.symbol}")
        beta = SECTOR_BETA.get(stock.sector, 1.0) * traits.uniform(0.8, 1.2)
        idio_vol = traits.uniform(0.12, 0.28)
        alpha = traits.uniform(-0.05, 0.05) / DAYS_PER_YEAR
        origin_price = float(np.clip(np.exp(traits.normal(np.log(90.0), 0.8)), 12.0, 700.0))
        idio = _normals(f"idio:{stock.symbol}", count=count, annual_vol=idio_vol)
        returns = beta * market + sectors[stock.sector] + idio + alpha
        paths[stock.symbol] = _path(origin_price=origin_price, returns=returns)
    return paths


def _etf_paths(*, etfs: list[EtfRow], market: np.ndarray) -> dict[str, np.ndarray]:
    count = len(market)
    paths = {}
    for etf in etfs:
        loading, own_vol, own_drift = ASSET_CLASS_FACTORS[etf.asset_class]
        returns = (
            loading * (market - MARKET_DRIFT / DAYS_PER_YEAR)
            + (MARKET_DRIFT * loading + own_drift) / DAYS_PER_YEAR
            + _normals(f"class:{etf.asset_class}", count=count, annual_vol=own_vol)
            + _normals(f"group:{etf.identical_group}", count=count, annual_vol=GROUP_VOL)
            + _normals(f"fund:{etf.symbol}", count=count, annual_vol=FUND_VOL)
        )
        paths[etf.symbol] = _path(origin_price=etf.origin_price, returns=returns)
    return paths


@dataclass(frozen=True)
class DemoSplit:
    """A split in the demo's history: from ``date`` on, ``new`` shares for each ``old``."""

    reference: str
    symbol: str
    date: dt.date
    new: int
    old: int


# The demo steward's split (``demo.corporate_actions`` enters and applies it).
SPLITS: tuple[DemoSplit, ...] = (
    DemoSplit(
        reference="DEMO-COST-SPLIT-2026", symbol="COST", date=dt.date(2026, 6, 1), new=3, old=2
    ),
)


def simulated_closes(
    *, stocks: list[StockRow], etfs: list[EtfRow], count: int
) -> dict[str, np.ndarray]:
    """Closes on the first ``count`` trading days from ``ORIGIN``, per symbol.

    A split stock's closes from the split's date on are the exchange's, after the split
    (divided by its ratio), so reading them adjusted gives one continuous path.
    """
    market = _market_returns(count)
    paths = _stock_paths(stocks=stocks, market=market) | _etf_paths(etfs=etfs, market=market)
    for split in SPLITS:
        if split.symbol in paths:
            first = len(trading_days(start=ORIGIN, end=split.date - dt.timedelta(days=1)))
            if first < count:
                paths[split.symbol][first:] *= split.old / split.new
    return paths


def price_window(*, end_date: dt.date) -> tuple[list[dt.date], list[dt.date]]:
    """All trading days from ``ORIGIN`` to ``end_date``, and the last ``HISTORY_DAYS`` of them."""
    days = trading_days(start=ORIGIN, end=end_date)
    if len(days) < HISTORY_DAYS:
        raise ValueError(
            f"end date {end_date} is too early: the demo needs {HISTORY_DAYS} trading days "
            f"after {ORIGIN}."
        )
    return days, days[-HISTORY_DAYS:]


SENDER = "command:seed_demo"


def prices_ensure(
    *,
    securities: dict[str, Security],
    stocks: list[StockRow],
    etfs: list[EtfRow],
    end_date: dt.date,
) -> tuple[PriceHistory, int]:
    """Store any missing close of ``securities`` in the window; return the window and the count.

    Closes already stored (by an earlier seed, or by a price feed) are kept and used as
    they are; only missing (security, date) pairs are simulated and inserted, into the
    shared table directly (the operator's command), recorded as sent by ``SENDER``.
    """
    all_days, window = price_window(end_date=end_date)
    window_set = set(window)
    by_id = {security.id: symbol for symbol, security in securities.items()}
    stored = Price.objects.filter(security_id__in=by_id, date__gte=window[0], date__lte=window[-1])
    existing = {pair for pair in stored.values_list("security_id", "date") if pair[1] in window_set}
    created = 0
    if len(existing) < len(by_id) * len(window):
        paths = simulated_closes(stocks=stocks, etfs=etfs, count=len(all_days))
        offset = len(all_days) - len(window)
        missing = [
            Price(
                security_id=security_id,
                date=day,
                close=Decimal(f"{paths[symbol][offset + i]:.6f}"),
                sent_by=SENDER,
            )
            for security_id, symbol in by_id.items()
            for i, day in enumerate(window)
            if (security_id, day) not in existing
        ]
        Price.objects.bulk_create(missing, batch_size=5000)
        created = len(missing)
    columns: dict[str, dict[dt.date, Decimal]] = {symbol: {} for symbol in securities}
    for security_id, day, close in stored.values_list("security_id", "date", "close"):
        columns[by_id[security_id]][day] = close
    closes = {symbol: tuple(column[day] for day in window) for symbol, column in columns.items()}
    return PriceHistory(days=tuple(window), closes=closes), created
