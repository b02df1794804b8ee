"""The one place that turns the ORM's loaded inputs into the optimizer's case.

``case_for_account`` turns one account's loaded inputs (``trading.selectors.run_inputs``)
into the optimizer's typed ``Case`` (its lots and securities as columns, its menus from
``trading.menus``), or says why it cannot: a missing or stale price, no model. The same
function serves the nightly run, "re-optimize now", what-if and the API, so every path hands
the optimizer exactly the same thing. ``solve_case`` runs the optimizer on a case or on a
proposal's stored input (``trading.stored_input``, the contract's JSON kept for replay).

A case carries the platform's risk model (the latest stored on or before its date).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from models_library.models import Security
from money import cents_half_even
from optimizer.api import optimize_account
from optimizer.types import (
    Case,
    Lots,
    OptimizeResult,
    RecentBuy,
    RecentLossSale,
    Securities,
)
from trading.menus import dollars, exact, preference_menus
from trading.selectors.run_inputs import (
    AccountInputs,
    ChunkInputs,
    HouseholdWashContext,
    referenced_symbols,
)
from trading.stored_input import case_from_input

STALE_PRICE_DAYS = 5


class DataProblem(Exception):
    """The account's data cannot make a valid optimizer input (a flag, not a crash)."""

    def __init__(self, message: str, *, flag: str):
        super().__init__(message)
        self.flag = flag


def _wash(
    context: HouseholdWashContext | None,
) -> tuple[tuple[RecentBuy, ...], tuple[RecentLossSale, ...]]:
    if context is None:
        return (), ()
    buys = sorted(context.recent_buys, key=lambda e: (e.date, e.symbol))
    sales = sorted(context.recent_loss_sales, key=lambda e: (e.date, e.symbol))
    return (
        tuple(
            RecentBuy(
                symbol=e.symbol,
                date=e.date,
                quantity=None if e.quantity is None else exact(e.quantity),
            )
            for e in buys
        ),
        tuple(RecentLossSale(symbol=e.symbol, date=e.date) for e in sales),
    )


def _lot_ids(item: AccountInputs) -> list[str]:
    """Lot ids for the optimizer: the opening purchase's id, made unique where a wash sale
    split one purchase into pieces (``T1``, ``T1#2``, ...)."""
    seen: dict[str, int] = {}
    ids = []
    for pk, lot_ref, *_ in item.lots:
        ref = lot_ref or f"lot-{pk}"
        seen[ref] = seen.get(ref, 0) + 1
        ids.append(ref if seen[ref] == 1 else f"{ref}#{seen[ref]}")
    return ids


def _swap_partners(item: AccountInputs, chunk: ChunkInputs, *, held: set[str]) -> set[str]:
    """One swap partner per target ETF: what a loss harvest buys so the sleeve stays
    invested. A partner in the ETF's equivalence set comes first (so a swap is no drift),
    a held one before one not held, then the first by symbol. One is enough, and more would
    only let the tracking term spread a sleeve thinly over every look-alike fund."""
    chosen = set()
    target = item.target or {}
    equivalent = {s: members for members in chunk.equivalents for s in members}
    for symbol in target:
        candidates = [p for p in chunk.swap_partners.get(symbol, []) if p not in target]
        if candidates:
            same_set = equivalent.get(symbol, ())
            chosen.add(min(candidates, key=lambda p: (p not in same_set, p not in held, p)))
    return chosen


def _equivalents(chunk: ChunkInputs, *, symbols: set[str]) -> tuple[tuple[str, ...], ...]:
    """The firm's equivalence sets as far as the case's securities go: a set with fewer than
    two of them changes no drift, so the case leaves it out."""
    kept = (tuple(s for s in members if s in symbols) for members in chunk.equivalents)
    return tuple(members for members in kept if len(members) > 1)


def _sleeve(security: Security) -> str:
    """The optimizer's asset class. A stock's sleeve is its asset class and sector, so a
    direct index swaps a harvested stock for one of the same sector, not of any sector."""
    if security.security_type == "stock" and security.sector:
        return f"{security.asset_class}:{security.sector}"
    return security.asset_class


def _security_row(
    symbol: str, chunk: ChunkInputs, *, fresh: bool, held: bool
) -> tuple[str, Decimal, str, str | None, str]:
    """The optimizer's row for one symbol. A symbol the account may trade needs a recent
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
    return (
        symbol,
        exact(price),
        _sleeve(security),
        security.sector or None,
        security.wash_sale_group,
    )


def case_for_account(item: AccountInputs, chunk: ChunkInputs) -> Case:
    """The optimizer's case for one account. Raises DataProblem when it cannot be built,
    or when the account is out of balance with its custodian (its proposal says why)."""
    if item.hold_reason:
        raise DataProblem(item.hold_reason, flag="out_of_balance")
    if item.target is None:
        raise DataProblem(item.target_error or "no target", flag="missing_model")
    held = {symbol for _, _, symbol, *_ in item.lots}
    tradable = (
        held | set(item.target) | {r.values["to_symbol"] for r in item.preferences.substitutions}
    )
    tradable |= _swap_partners(item, chunk, held=held)
    account = item.account
    wash = chunk.wash.get(account.household_id)
    named = referenced_symbols(item.preferences) | (
        {e.symbol for e in wash.recent_buys + wash.recent_loss_sales} if wash else set()
    )
    recent_buys, recent_loss_sales = _wash(wash)
    symbols = tradable | named
    return Case(
        account_id=account.account_number,
        as_of=chunk.as_of,
        tax_status=account.tax_status,
        cash=dollars(item.cash_usd),
        securities=Securities.from_rows(
            _security_row(symbol, chunk, fresh=symbol in tradable, held=symbol in held)
            for symbol in sorted(symbols)
        ),
        lots=Lots.from_rows(
            (lot_id, symbol, quantity.normalize(), cents_half_even(basis), start)
            for lot_id, (_, _, symbol, quantity, basis, start) in zip(
                _lot_ids(item), item.lots, strict=True
            )
        ),
        target={symbol: exact(weight) for symbol, weight in sorted(item.target.items())},
        preferences=preference_menus(
            item.preferences,
            room=chunk.gain_rooms.room(account.pk),
            not_candidates=sorted(named - tradable),
            filer=None
            if chunk.filers is None or account.tax_status != "taxable"
            else chunk.filers.position(account.pk, spent=chunk.gain_rooms.spent),
            gift=item.gift,
        ),
        equivalents=_equivalents(chunk, symbols=symbols),
        recent_buys=recent_buys,
        recent_loss_sales=recent_loss_sales,
        risk_model=chunk.risk_model,
    )


def solve_case(case: Case | dict[str, Any]) -> OptimizeResult:
    """Run the optimizer on one case (or a stored input). A case the optimizer refuses comes
    back as status "invalid", a solver failure as "error"."""
    if isinstance(case, dict):
        reference = case.get("risk_model")
        if isinstance(reference, dict) and set(reference) == {"id", "content_hash"}:
            return optimize_account(case_from_input(case))
    return optimize_account(case)
