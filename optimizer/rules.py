"""The client's rules on one account: holding periods, restrictions in force, screens,
substitutions, the target they produce, and what each rule blocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from optimizer.types import Case, RecentBuy, RecentLossSale, Restriction, Screen
from tax_calendar.holding_arrays import anniversaries, long_term_mask
from tax_calendar.wash_sale import within_window


def recent_groups(
    *, case: Case, events: Sequence[RecentBuy] | Sequence[RecentLossSale]
) -> set[str]:
    """Identical groups of the wash-sale events within 30 days of `as_of`."""
    return {
        case.securities.group_of(e.symbol)
        for e in events
        if within_window(event=e.date, day=case.as_of)
    }


def active_restrictions(*, case: Case) -> dict[str, str]:
    """Symbol -> the strongest restriction in force on `as_of` (`hold` beats the others)."""
    kinds: dict[str, set[str]] = {}
    for restriction in case.preferences.restrictions:
        if _in_force(restriction=restriction, as_of=case.as_of):
            kinds.setdefault(restriction.symbol, set()).add(restriction.type)
    merged = {}
    for symbol, types in kinds.items():
        if "hold" in types or {"do_not_buy", "do_not_sell"} <= types:
            merged[symbol] = "hold"
        else:
            merged[symbol] = types.pop()
    return merged


def _in_force(*, restriction: Restriction, as_of: date) -> bool:
    if restriction.start is not None and as_of < restriction.start:
        return False
    return restriction.end is None or as_of <= restriction.end


def screened_symbols(*, case: Case) -> frozenset[str]:
    """Every symbol some screen excludes."""
    return frozenset().union(
        *(screen_matches(case=case, screen=screen) for screen in case.preferences.screens)
    )


def screen_matches(*, case: Case, screen: Screen) -> frozenset[str]:
    """The symbols one screen excludes."""
    securities = case.securities
    column = {
        "symbol": securities.symbol,
        "sector": securities.sector,
        "asset_class": securities.asset_class,
    }[screen.field]
    return frozenset(securities.symbol[column == screen.value].tolist())


def adjusted_target(*, case: Case, screened: frozenset[str]) -> dict[str, float]:
    """The published target with substitutions applied (`from`'s weight moves to `to`,
    following chains), then screens (a screened security's weight spreads over the rest of
    its asset class in proportion to their weights, equally if they have none, or to cash
    when nothing is left in the class)."""
    moves = {sub.from_symbol: sub.to_symbol for sub in case.preferences.substitutions}
    target: dict[str, float] = {}
    for symbol, weight in case.target.items():
        seen = {symbol}
        while symbol in moves and moves[symbol] not in seen:
            symbol = moves[symbol]
            seen.add(symbol)
        target[symbol] = target.get(symbol, 0.0) + float(weight)
    substituted = set(moves) - set(moves.values())
    for symbol in sorted(screened):
        moved = target.pop(symbol, 0.0)
        if moved <= 0:
            continue
        securities = case.securities
        same_class = securities.symbol[securities.asset_class == securities.asset_class_of(symbol)]
        rest = [
            other
            for other in same_class.tolist()
            if other not in screened and other not in substituted
        ]
        if not rest:
            continue
        base = sum(target.get(other, 0.0) for other in rest)
        for other in rest:
            share = target.get(other, 0.0) / base if base > 0 else 1.0 / len(rest)
            target[other] = target.get(other, 0.0) + moved * share
    return target


def buy_block(
    *,
    symbol: str,
    restricted: dict[str, str],
    screened: frozenset[str],
    substituted: frozenset[str],
    loss_sale_groups: set[str],
    group: str,
) -> str:
    if restricted.get(symbol) in ("do_not_buy", "hold"):
        return restricted[symbol]
    if symbol in screened:
        return "screen"
    if symbol in substituted:
        return "substitution"
    if group in loss_sale_groups:
        return "wash_sale"
    return ""


def long_term_dates(*, acquired: np.ndarray) -> np.ndarray:
    """Per lot, the first day a sale of it is long-term (the day after the anniversary)."""
    first: np.ndarray = anniversaries(acquired) + np.timedelta64(1, "D")
    return first


def waiting_for_long_term(
    *, acquired: np.ndarray, as_of: date, days: int, is_gain: np.ndarray
) -> np.ndarray:
    """Per lot, whether it is a short-term lot at a gain that turns long-term within
    ``days`` days of ``as_of`` (none when ``days`` is 0): selling it now would pay the
    short-term rate on a gain that waiting a few days taxes at the long-term rate."""
    if days <= 0 or not len(acquired):
        return np.zeros(len(acquired), dtype=bool)
    until = (long_term_dates(acquired=acquired) - np.datetime64(as_of, "D")).astype(int)
    waiting: np.ndarray = (until > 0) & (until <= days) & is_gain
    return waiting


def lot_blocks(
    *,
    symbols: tuple[str, ...],
    lot_security: np.ndarray,
    restricted: dict[str, str],
    taxable: bool,
    is_loss: np.ndarray,
    blocked: np.ndarray,
    waiting: np.ndarray,
) -> tuple[str, ...]:
    """Why each lot may not be sold ("" when it may): a restriction, or in a taxable
    account a loss in a group bought within 30 days, or a gain waiting to turn long-term
    (``waiting``, see :func:`waiting_for_long_term`)."""
    by_security = np.array(
        [restricted.get(s) if restricted.get(s) in ("do_not_sell", "hold") else "" for s in symbols]
        + [""],
        dtype=object,
    )
    security = lot_security if len(lot_security) else np.zeros(0, dtype=int)
    blocks = by_security[security]
    wash = (
        (blocks == "") & is_loss & blocked[security] if taxable else np.zeros(len(security), bool)
    )
    blocks[wash] = "wash_sale"
    if taxable and len(security):
        blocks[(blocks == "") & waiting] = "long_term_wait"
    return tuple(blocks.tolist())


def long_term_lots(*, acquired: np.ndarray, as_of: date) -> np.ndarray:
    """Per lot (a `datetime64[D]` column of acquisition dates), long-term if sold on `as_of`
    (tax_calendar's holding-period rule)."""
    return long_term_mask(acquired, sold=as_of)
