"""Synthetic accounts for the benchmark and the memory check (seeded, reproducible)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from optimizer.types import (
    Case,
    Lots,
    Preferences,
    RecentBuy,
    RiskModel,
    Securities,
    TaxPreferences,
    TradingPreferences,
)

AS_OF = date(2025, 6, 30)
_ETF_CLASSES = ("us_large", "us_small", "intl_dev", "emerging", "us_bond", "tips")


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _lots(
    *,
    rng: np.random.Generator,
    symbols: list[str],
    prices: dict[str, Decimal],
    dollars: np.ndarray,
    lots_per_symbol: int,
) -> list[tuple[str, str, Decimal, Decimal, date]]:
    lots = []
    for symbol, budget in zip(symbols, dollars, strict=True):
        price = float(prices[symbol])
        for k in range(lots_per_symbol):
            qty = max(1, int(budget / lots_per_symbol / price))
            ratio = rng.uniform(0.6, 1.4)
            lots.append(
                (
                    f"{symbol}-{k}",
                    symbol,
                    Decimal(qty),
                    _money(qty * price * ratio),
                    AS_OF - timedelta(days=int(rng.integers(20, 1500))),
                )
            )
    return lots


def etf_account(*, seed: int = 0, account_id: str = "ETF-12") -> Case:
    """12 ETFs (two per asset class, different identical groups), about 50 lots."""
    rng = np.random.default_rng(seed)
    securities, target = {}, {}
    for k, asset_class in enumerate(_ETF_CLASSES):
        for twin in range(2):
            symbol = f"E{k}{twin}"
            securities[symbol] = (
                symbol,
                _money(rng.uniform(30, 400)),
                asset_class,
                None,
                f"IDX-{k}-{twin}",
            )
        target[f"E{k}0"] = Decimal(f"{rng.uniform(0.08, 0.25):.4f}")
    scale = Decimal("0.98") / sum(target.values())
    target = {s: (w * scale).quantize(Decimal("0.0001")) for s, w in target.items()}
    symbols = sorted(securities)
    dollars = rng.uniform(5_000, 60_000, size=len(symbols))
    prices = {s: securities[s][1] for s in symbols}
    lots = _lots(rng=rng, symbols=symbols, prices=prices, dollars=dollars, lots_per_symbol=4)
    return Case(
        account_id=account_id,
        as_of=AS_OF,
        tax_status="taxable",
        cash=_money(8_000),
        securities=Securities.from_rows(securities.values()),
        lots=Lots.from_rows(lots[:50]),
        target=target,
        preferences=Preferences(
            tax=TaxPreferences(max_realized_gain=Decimal("20000")),
            trading=TradingPreferences(min_trade_value=Decimal("100"), cost_bps=Decimal("2")),
        ),
        recent_buys=(RecentBuy(symbol="E11", date=AS_OF - timedelta(days=10)),),
    )


def direct_index_account(
    *,
    seed: int = 0,
    n_stocks: int = 500,
    lots_per_stock: int = 4,
    n_factors: int = 30,
    account_id: str = "DI-500",
) -> Case:
    """A direct-indexing account: `n_stocks` stocks, `lots_per_stock` lots each, one
    asset class, each stock its own identical group, and a factor risk model."""
    rng = np.random.default_rng(seed)
    symbols = [f"STK{i:03d}" for i in range(n_stocks)]
    sectors = [f"sector{i % 11}" for i in range(n_stocks)]
    securities = {
        s: (s, _money(rng.uniform(10, 500)), "us_equity", sectors[i], s)
        for i, s in enumerate(symbols)
    }
    caps = rng.pareto(1.2, size=n_stocks) + 0.2
    weights = caps / caps.sum() * 0.98
    target = {s: Decimal(f"{w:.6f}") for s, w in zip(symbols, weights, strict=True)}
    drifted = weights * rng.lognormal(0.0, 0.25, size=n_stocks) * 2_000_000
    prices = {s: securities[s][1] for s in symbols}
    loadings = rng.normal(0.0, 0.3, size=(n_stocks, n_factors))
    loadings[:, 0] = rng.normal(1.0, 0.2, size=n_stocks)
    model = RiskModel(
        id=f"synthetic-{seed}",
        symbols=tuple(symbols),
        factors=("market",) + tuple(f"stat{k}" for k in range(1, n_factors)),
        loadings=loadings,
        factor_covariance=np.diag([0.03] + [0.004] * (n_factors - 1)),
        specific_variance=rng.uniform(0.02, 0.09, size=n_stocks),
    )
    return Case(
        account_id=account_id,
        as_of=AS_OF,
        tax_status="taxable",
        cash=_money(40_000),
        securities=Securities.from_rows(securities.values()),
        lots=Lots.from_rows(
            _lots(
                rng=rng,
                symbols=symbols,
                prices=prices,
                dollars=drifted,
                lots_per_symbol=lots_per_stock,
            )
        ),
        target=target,
        preferences=Preferences(
            tax=TaxPreferences(max_short_term_gain=Decimal("0")),
            trading=TradingPreferences(min_trade_value=Decimal("50"), cost_bps=Decimal("1")),
        ),
        recent_buys=tuple(
            RecentBuy(symbol=s, date=AS_OF - timedelta(days=5)) for s in symbols[:10]
        ),
        risk_model=model,
    )
