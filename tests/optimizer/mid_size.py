"""Random mid-size taxable accounts for the certificate tests: 30-80 securities in a few
asset classes, identical groups of two or three (tax-swap partners within one asset
class), several lots per holding with gains and losses; no risk model section, so the
optimizer's built-in fallback model (`optimizer/risk.py`) measures their tracking."""

from __future__ import annotations

import random
from typing import Any


def mid_size_case(rng: random.Random, *, account_id: str = "MID") -> dict[str, Any]:
    n = rng.randint(30, 80)
    n_classes = rng.randint(3, 6)
    securities: dict[str, dict[str, Any]] = {}
    lots: list[dict[str, str]] = []
    target: dict[str, float] = {}
    group = 0
    i = 0
    while i < n:
        size = rng.choice([1, 1, 2, 2, 3])
        asset_class = f"class{rng.randrange(n_classes)}"
        name = f"G{group}" if size > 1 or rng.random() < 0.5 else None
        for _ in range(min(size, n - i)):
            price = round(rng.uniform(15, 400), 2)
            securities[f"S{i:02d}"] = {
                "price": str(price),
                "asset_class": asset_class,
                "identical_group": name,
            }
            i += 1
        group += 1
    symbols = sorted(securities)
    scale = rng.uniform(250_000, 2_000_000) / n
    for symbol in symbols:
        price = float(securities[symbol]["price"])
        if rng.random() < 0.2:
            continue
        for k in range(rng.randint(1, 4)):
            qty = max(1, int(scale * rng.uniform(0.1, 0.8) / price))
            lots.append(
                {
                    "id": f"{symbol}-{k}",
                    "symbol": symbol,
                    "quantity": str(qty),
                    "cost_basis": f"{price * qty * rng.uniform(0.6, 1.5):.2f}",
                    "acquired": f"{rng.choice([2019, 2022, 2024, 2025])}-0{rng.randint(1, 5)}-15",
                }
            )
    for symbol in rng.sample(symbols, k=max(1, int(0.7 * n))):
        target[symbol] = rng.uniform(0.1, 1.0)
    total = sum(target.values()) / 0.98
    return {
        "as_of": "2025-06-30",
        "account": {"id": account_id, "cash": f"{rng.uniform(0, 0.03) * scale * n:.2f}"},
        "securities": securities,
        "lots": lots,
        "target": {s: f"{w / total:.4f}" for s, w in target.items()},
        "preferences": {"trading": {"cost_bps": "2", "min_trade_value": "100"}},
    }
