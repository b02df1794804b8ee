"""The one place that translates between the ORM and ``optimizer/``.

``case_for_account`` turns one account's loaded inputs into the optimizer's input (the
``contracts/optimize.md`` format, plain JSON-ready data), or says why it cannot: a missing
or stale price, no model. The same function serves the nightly run, "re-optimize now" and
the API, so every path hands the optimizer exactly the same thing, and a proposal can store
that input for replay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from decimal import Decimal
from typing import Any

from accounts.selectors.preferences import EffectivePreferences
from money import cents_half_even
from trading.selectors.run_inputs import (
    AccountInputs,
    ChunkInputs,
    HouseholdWashContext,
    referenced_symbols,
)

STALE_PRICE_DAYS = 5


class DataProblem(Exception):
    """The account's data cannot make a valid optimizer input (a flag, not a crash)."""

    def __init__(self, message: str, *, flag: str):
        super().__init__(message)
        self.flag = flag


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(cents_half_even(Decimal(value)))


def _preferences(
    prefs: EffectivePreferences, *, as_of: dt.date, not_candidates: list[str]
) -> dict[str, Any]:
    """The menus in the optimizer's terms. Symbols that only a rule or a wash-sale event
    names (``not_candidates``) are listed as do-not-buy: they are there for the rules, not
    as purchases."""
    v = prefs.values
    return {
        "tax": {
            "short_term_rate": str(v["short_term_rate"]),
            "long_term_rate": str(v["long_term_rate"]),
            "harvest_losses": bool(v["harvest_losses"]),
            "max_realized_gain": _money(v["max_realized_gain_usd"]),
            "max_short_term_gain": _money(v["max_short_term_gain_usd"]),
        },
        "restrictions": [
            {"symbol": r.values["symbol"], "type": r.values["type"]} for r in prefs.restrictions
        ]
        + [{"symbol": symbol, "type": "do_not_buy"} for symbol in not_candidates],
        "screens": [
            {"field": s.values["field"], "value": s.values["value"]} for s in prefs.screens
        ],
        "substitutions": [
            {"from": s.values["from_symbol"], "to": s.values["to_symbol"]}
            for s in prefs.substitutions
        ],
        "cash": {
            "min": _money(v["cash_min_usd"]),
            "withdrawal": _money(prefs.pending_withdrawal_usd),
        },
        "trading": {
            "min_trade_value": _money(v["min_trade_value_usd"]),
            "fractional_shares": bool(v["fractional_shares"]),
            "cost_bps": str(v["cost_bps"]),
        },
    }


def _wash(context: HouseholdWashContext | None) -> dict[str, list]:
    if context is None:
        return {"recent_buys": [], "recent_loss_sales": []}
    return {
        "recent_buys": [
            {"symbol": e.symbol, "date": e.date.isoformat(), "quantity": str(e.quantity)}
            for e in sorted(context.recent_buys, key=lambda e: (e.date, e.symbol))
        ],
        "recent_loss_sales": [
            {"symbol": e.symbol, "date": e.date.isoformat()}
            for e in sorted(context.recent_loss_sales, key=lambda e: (e.date, e.symbol))
        ],
    }


def _lot_ids(item: AccountInputs) -> list[str]:
    """Lot ids for the optimizer: the opening purchase's id, made unique where a wash sale
    split one purchase into pieces (``T1``, ``T1#2``, ...)."""
    seen: dict[str, int] = {}
    ids = []
    for lot in item.lots:
        ref = lot.lot_ref or f"lot-{lot.pk}"
        seen[ref] = seen.get(ref, 0) + 1
        ids.append(ref if seen[ref] == 1 else f"{ref}#{seen[ref]}")
    return ids


def _swap_partners(item: AccountInputs, chunk: ChunkInputs, *, held: set[str]) -> set[str]:
    """One swap partner per target ETF (a held one first, else the first by symbol): what a
    loss harvest buys so the sleeve stays invested. One is enough, and more would only let
    the tracking term spread a sleeve thinly over every look-alike fund."""
    chosen = set()
    for symbol in item.target:
        candidates = [p for p in chunk.swap_partners.get(symbol, []) if p not in item.target]
        if candidates:
            chosen.add(next((p for p in candidates if p in held), candidates[0]))
    return chosen


def _sleeve(security) -> str:
    """The optimizer's asset class. A stock's sleeve is its asset class and sector, so a
    direct index swaps a harvested stock for one of the same sector, not of any sector."""
    if security.security_type == "stock" and security.sector:
        return f"{security.asset_class}:{security.sector}"
    return security.asset_class


def _security_entry(symbol: str, chunk: ChunkInputs, *, fresh: bool, held: bool) -> dict:
    """The optimizer's entry for one symbol. A symbol the account may trade needs a recent
    price; one that a rule or a wash-sale event only names needs some price."""
    security = chunk.securities.get(symbol)
    if symbol not in chunk.prices or security is None:
        raise DataProblem(f"no price for {symbol} on or before {chunk.as_of}", flag="missing_price")
    price_date, price = chunk.prices[symbol]
    if fresh and (chunk.as_of - price_date).days > STALE_PRICE_DAYS:
        raise DataProblem(
            f"the last price of {symbol} is from {price_date}, more than "
            f"{STALE_PRICE_DAYS} days before {chunk.as_of}",
            flag="stale_price",
        )
    if fresh and not security.tradable and not held:
        raise DataProblem(f"{symbol} is in the model but not tradable", flag="bad_data")
    return {
        "price": str(price),
        "asset_class": _sleeve(security),
        "sector": security.sector or None,
        "identical_group": security.wash_sale_group,
    }


def case_for_account(item: AccountInputs, chunk: ChunkInputs) -> dict[str, Any]:
    """The optimizer input for one account. Raises DataProblem when it cannot be built."""
    if item.target is None:
        raise DataProblem(item.target_error or "no target", flag="missing_model")
    held = {lot.security.symbol for lot in item.lots}
    tradable = (
        held | set(item.target) | {r.values["to_symbol"] for r in item.preferences.substitutions}
    )
    tradable |= _swap_partners(item, chunk, held=held)
    wash = chunk.wash.get(item.account.household_id)
    named = referenced_symbols(item.preferences) | (
        {e.symbol for e in wash.recent_buys + wash.recent_loss_sales} if wash else set()
    )
    securities = {
        symbol: _security_entry(symbol, chunk, fresh=symbol in tradable, held=symbol in held)
        for symbol in sorted(tradable | named)
    }
    account = item.account
    return {
        "as_of": chunk.as_of.isoformat(),
        "account": {
            "id": account.account_number,
            "tax_status": account.tax_status,
            "cash": _money(item.cash_usd),
        },
        "securities": securities,
        "lots": [
            {
                "id": lot_id,
                "symbol": lot.security.symbol,
                "quantity": str(lot.quantity.normalize()),
                "cost_basis": _money(lot.cost_basis_usd),
                "acquired": lot.holding_period_start.isoformat(),
            }
            for lot_id, lot in zip(_lot_ids(item), item.lots, strict=True)
        ],
        "target": {symbol: str(weight) for symbol, weight in sorted(item.target.items())},
        "preferences": _preferences(
            item.preferences, as_of=chunk.as_of, not_candidates=sorted(named - tradable)
        ),
        "wash_sale": _wash(chunk.wash.get(account.household_id)),
    }


def canonical_json(case: dict[str, Any]) -> bytes:
    return json.dumps(case, sort_keys=True, separators=(",", ":")).encode()


def pack_input(case: dict[str, Any]) -> tuple[bytes, str]:
    """(zlib-compressed canonical JSON, its SHA-256) for storing with a proposal."""
    raw = canonical_json(case)
    return zlib.compress(raw, 6), hashlib.sha256(raw).hexdigest()


def unpack_input(blob: bytes) -> dict[str, Any]:
    return json.loads(zlib.decompress(bytes(blob)))


def solve_case(case: dict[str, Any]) -> dict[str, Any]:
    """Run the optimizer on one input and return its contract result. An input the
    optimizer refuses comes back as status "invalid", a solver failure as "error"."""
    from optimizer.api import optimize_account
    from optimizer.output import result_to_dict

    return result_to_dict(optimize_account(case))
