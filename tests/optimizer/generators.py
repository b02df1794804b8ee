"""Hypothesis strategies for random contract cases: lots with gains and losses, every
preference kind, wash-sale windows and tax statuses."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

AS_OF = date(2025, 6, 30)
SECTORS = ("Energy", "Tech", "Health", None)


def money(value: float) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


@st.composite
def securities(draw: st.DrawFn, *, max_securities: int = 8) -> dict:
    n = draw(st.integers(min_value=1, max_value=max_securities))
    n_classes = draw(st.integers(min_value=1, max_value=3))
    out = {}
    for i in range(n):
        group = draw(st.sampled_from([f"G{i}", f"G{i // 2}", None]))
        out[f"S{i}"] = {
            "price": money(draw(st.floats(min_value=5, max_value=400))),
            "asset_class": f"class{draw(st.integers(0, n_classes - 1))}",
            "sector": draw(st.sampled_from(SECTORS)),
            "identical_group": group,
        }
    return out


@st.composite
def lots(draw: st.DrawFn, secs: dict, *, fractional: bool) -> list:
    out = []
    for symbol, spec in secs.items():
        for k in range(draw(st.integers(min_value=0, max_value=3))):
            qty: float = draw(st.integers(min_value=1, max_value=400))
            if fractional and draw(st.booleans()):
                qty = qty + 0.5
            ratio = draw(st.floats(min_value=0.4, max_value=1.8))
            days = draw(st.integers(min_value=1, max_value=1500))
            out.append(
                {
                    "id": f"{symbol}-L{k}",
                    "symbol": symbol,
                    "quantity": str(qty),
                    "cost_basis": money(float(spec["price"]) * qty * ratio),
                    "acquired": (AS_OF - timedelta(days=days)).isoformat(),
                }
            )
    return out


@st.composite
def targets(draw: st.DrawFn, secs: dict) -> dict:
    chosen = draw(st.lists(st.sampled_from(sorted(secs)), unique=True, max_size=len(secs)))
    raw = [draw(st.floats(min_value=0.05, max_value=1.0)) for _ in chosen]
    total = sum(raw) or 1.0
    invested = draw(st.floats(min_value=0.8, max_value=1.0))
    return {
        s: str(Decimal(w / total * invested).quantize(Decimal("0.0001"), rounding="ROUND_DOWN"))
        for s, w in zip(chosen, raw, strict=True)
    }


@st.composite
def preferences(draw: st.DrawFn, secs: dict, *, value: float, fractional: bool) -> dict:
    symbols = sorted(secs)
    cap = st.one_of(
        st.none(), st.sampled_from([-0.002, 0.0, 0.005, 0.02, 0.1]).map(lambda f: money(f * value))
    )
    restrictions = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "symbol": st.sampled_from(symbols),
                    "type": st.sampled_from(["do_not_buy", "do_not_sell", "hold"]),
                }
            ),
            max_size=2,
        )
    )
    screens = draw(
        st.lists(
            st.one_of(
                st.fixed_dictionaries(
                    {"field": st.just("sector"), "value": st.sampled_from(SECTORS[:3])}
                ),
                st.fixed_dictionaries(
                    {"field": st.just("symbol"), "value": st.sampled_from(symbols)}
                ),
                st.fixed_dictionaries(
                    {
                        "field": st.just("asset_class"),
                        "value": st.sampled_from(["class0", "class1"]),
                    }
                ),
            ),
            max_size=1,
        )
    )
    subs = []
    if len(symbols) > 1 and draw(st.booleans()):
        a, b = draw(st.lists(st.sampled_from(symbols), min_size=2, max_size=2, unique=True))
        subs.append({"from": a, "to": b})
    return {
        "tax": {
            "short_term_rate": draw(st.sampled_from(["0.37", "0.32", "0.24"])),
            "long_term_rate": draw(st.sampled_from(["0.20", "0.15"])),
            "harvest_losses": draw(st.booleans()),
            "max_realized_gain": draw(cap),
            "max_short_term_gain": draw(cap),
        },
        "restrictions": restrictions,
        "screens": screens,
        "substitutions": subs,
        "cash": {
            "min": money(draw(st.sampled_from([0.0, 0.01, 0.03])) * value),
            "withdrawal": money(draw(st.sampled_from([0.0, 0.0, 0.05, 0.3])) * value),
        },
        "trading": {
            "min_trade_value": draw(st.sampled_from(["0", "50.00", "250.00"])),
            "fractional_shares": fractional,
            "cost_bps": draw(st.sampled_from(["0", "1", "5"])),
        },
    }


@st.composite
def wash_events(draw: st.DrawFn, secs: dict) -> dict:
    symbols = sorted(secs)
    event = st.fixed_dictionaries(
        {
            "symbol": st.sampled_from(symbols),
            "date": st.integers(min_value=0, max_value=45).map(
                lambda d: (AS_OF - timedelta(days=d)).isoformat()
            ),
        }
    )
    return {
        "recent_buys": draw(st.lists(event, max_size=2)),
        "recent_loss_sales": draw(st.lists(event, max_size=2)),
    }


@st.composite
def cases(draw: st.DrawFn, *, max_securities: int = 8, simple: bool = False) -> dict:
    secs = draw(securities(max_securities=max_securities))
    fractional = draw(st.booleans())
    lot_list = draw(lots(secs, fractional=fractional))
    held = sum(float(lot["quantity"]) * float(secs[lot["symbol"]]["price"]) for lot in lot_list)
    cash = draw(st.floats(min_value=0, max_value=0.3)) * max(held, 10_000.0)
    value = held + cash
    case: dict[str, Any] = {
        "as_of": AS_OF.isoformat(),
        "account": {
            "id": "PROP",
            "cash": money(cash),
            "tax_status": draw(
                st.sampled_from(["taxable", "taxable", "tax_deferred", "tax_exempt"])
            ),
        },
        "securities": secs,
        "lots": lot_list,
        "target": draw(targets(secs)),
        "preferences": draw(preferences(secs, value=value, fractional=fractional)),
        "wash_sale": draw(wash_events(secs)),
    }
    if simple:
        case["preferences"].update(restrictions=[], screens=[], substitutions=[])
        case["preferences"]["cash"]["withdrawal"] = "0.00"
    return case
