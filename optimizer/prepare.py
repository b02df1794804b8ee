"""From a typed `Case` to the arrays the QP needs: targets after screens and substitutions,
trade bounds from restrictions and the wash-sale rule, and per-lot tax coefficients.

All money is expressed as a fraction of the account value V (holdings plus cash) so the
problem is well scaled whatever the account's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from optimizer.types import Case, Restriction, Screen

WASH_WINDOW_DAYS = 30
CLASS_WEIGHT = 1.0
SECURITY_WEIGHT = 0.1
FACTOR_RISK_AVERSION = 10.0
IMPACT_WEIGHT = 0.0005
MIN_COST_RATE = 0.0002


@dataclass(frozen=True)
class Prepared:
    """One account as arrays. Indices: i over securities, j over lots, k over asset classes,
    g over identical groups. Money is a fraction of `value` (the account value in dollars)."""

    case: Case
    value: float
    symbols: tuple[str, ...]
    price: np.ndarray
    held_qty: np.ndarray
    holding: np.ndarray
    lot_security: np.ndarray
    lot_qty: np.ndarray
    lot_value: np.ndarray
    lot_gain_ratio: np.ndarray
    lot_is_short: np.ndarray
    lot_tax_rate: np.ndarray
    lot_objective_tax: np.ndarray
    lot_sellable: np.ndarray
    lot_block: tuple[str, ...]
    buy_ok: np.ndarray
    buy_block: tuple[str, ...]
    target_published: np.ndarray
    target_adjusted: np.ndarray
    target_cash: float
    security_class: np.ndarray
    n_classes: int
    security_group: np.ndarray
    group_names: tuple[str, ...]
    wash_groups: np.ndarray
    cash0: float
    cash_required: float
    cost_rate: float
    max_gain: float | None
    max_short_gain: float | None
    idio_weight: np.ndarray
    factor_loadings: np.ndarray
    factor_weight: np.ndarray
    screened: frozenset[str]
    substituted: frozenset[str]
    substitute_to: frozenset[str]
    restricted: dict[str, str]

    @property
    def n_securities(self) -> int:
        return len(self.symbols)

    @property
    def n_lots(self) -> int:
        return len(self.lot_qty)


def is_long_term(*, acquired: date, as_of: date) -> bool:
    """Long-term when `as_of` is after the one-year anniversary (29 Feb: anniversary 1 Mar)."""
    try:
        anniversary = acquired.replace(year=acquired.year + 1)
    except ValueError:
        anniversary = date(acquired.year + 1, 3, 1)
    return as_of > anniversary


def within_wash_window(*, event: date, as_of: date) -> bool:
    return abs((as_of - event).days) <= WASH_WINDOW_DAYS


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
    return frozenset(
        security.symbol
        for security in case.securities.values()
        if {
            "symbol": security.symbol,
            "sector": security.sector,
            "asset_class": security.asset_class,
        }[screen.field]
        == screen.value
    )


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
        weight = target.pop(symbol, 0.0)
        if weight <= 0:
            continue
        asset_class = case.securities[symbol].asset_class
        rest = [
            other.symbol
            for other in case.securities.values()
            if other.asset_class == asset_class
            and other.symbol not in screened
            and other.symbol not in substituted
        ]
        if not rest:
            continue
        base = sum(target.get(other, 0.0) for other in rest)
        for other in rest:
            share = target.get(other, 0.0) / base if base > 0 else 1.0 / len(rest)
            target[other] = target.get(other, 0.0) + weight * share
    return target


def prepare(*, case: Case) -> Prepared:
    """Turn a case into arrays; see `Prepared`."""
    symbols = tuple(sorted(case.securities))
    index = {symbol: i for i, symbol in enumerate(symbols)}
    price = np.array([float(case.securities[s].price) for s in symbols])
    lot_security = np.array([index[lot.symbol] for lot in case.lots], dtype=int)
    lot_qty = np.array([float(lot.quantity) for lot in case.lots])
    lot_basis = np.array([float(lot.cost_basis) for lot in case.lots])
    held_qty = np.bincount(lot_security, weights=lot_qty, minlength=len(symbols)).astype(float)
    value = float(case.cash) + float(held_qty @ price)
    if value <= 0:
        value = max(1.0, float(case.preferences.cash.min + case.preferences.cash.withdrawal))
    lot_market = lot_qty * price[lot_security] if len(lot_qty) else np.zeros(0)
    taxable = case.tax_status == "taxable"
    tax = case.preferences.tax
    lot_is_short = ~long_term_lots(lots=case.lots, as_of=case.as_of)
    lot_tax_rate = np.where(lot_is_short, float(tax.short_term_rate), float(tax.long_term_rate))
    lot_gain_ratio = np.divide(
        lot_market - lot_basis, lot_market, out=np.zeros_like(lot_market), where=lot_market > 0
    )
    objective_tax = lot_tax_rate * lot_gain_ratio if taxable else np.zeros_like(lot_market)
    if not tax.harvest_losses:
        objective_tax = np.maximum(objective_tax, 0.0)
    screened = screened_symbols(case=case)
    restricted = active_restrictions(case=case)
    substituted = frozenset(sub.from_symbol for sub in case.preferences.substitutions)
    groups = tuple(sorted({case.securities[s].identical_group for s in symbols}))
    group_index = {group: g for g, group in enumerate(groups)}
    security_group = np.array(
        [group_index[case.securities[s].identical_group] for s in symbols], dtype=int
    )
    loss_sale_groups = {
        case.securities[e.symbol].identical_group
        for e in case.recent_loss_sales
        if within_wash_window(event=e.date, as_of=case.as_of)
    }
    recent_buy_groups = {
        case.securities[e.symbol].identical_group
        for e in case.recent_buys
        if within_wash_window(event=e.date, as_of=case.as_of)
    }
    buy_block = tuple(
        _buy_block(
            symbol=s,
            restricted=restricted,
            screened=screened,
            substituted=substituted,
            loss_sale_groups=loss_sale_groups,
            group=case.securities[s].identical_group,
        )
        for s in symbols
    )
    lot_block = _lot_blocks(
        symbols=symbols,
        lot_security=lot_security,
        restricted=restricted,
        taxable=taxable,
        is_loss=lot_market < lot_basis,
        blocked=np.array(
            [case.securities[s].identical_group in recent_buy_groups for s in symbols], dtype=bool
        ),
    )
    lot_sellable = np.array([block == "" for block in lot_block], dtype=bool)
    buy_ok = np.array([block == "" for block in buy_block], dtype=bool)
    target_map = adjusted_target(case=case, screened=screened)
    withdrawal = float(case.preferences.cash.withdrawal)
    invest_share = max(0.0, 1.0 - withdrawal / value)
    target_adjusted = np.array([target_map.get(s, 0.0) for s in symbols]) * invest_share
    classes = tuple(sorted({case.securities[s].asset_class for s in symbols}))
    class_index = {name: k for k, name in enumerate(classes)}
    security_class = np.array(
        [class_index[case.securities[s].asset_class] for s in symbols], dtype=int
    )
    is_loss_lot = lot_market < lot_basis
    wash_groups = _wash_groups(
        taxable=taxable,
        n_groups=len(groups),
        security_group=security_group,
        buy_ok=buy_ok,
        lot_group=security_group[lot_security] if len(lot_security) else lot_security,
        lot_candidate=lot_sellable & is_loss_lot,
    )
    idio, loadings, factor_weight = _risk_model(case=case, symbols=symbols)
    return Prepared(
        case=case,
        value=value,
        symbols=symbols,
        price=price,
        held_qty=held_qty,
        holding=held_qty * price / value,
        lot_security=lot_security,
        lot_qty=lot_qty,
        lot_value=lot_market / value,
        lot_gain_ratio=lot_gain_ratio,
        lot_is_short=lot_is_short,
        lot_tax_rate=lot_tax_rate if taxable else np.zeros_like(lot_market),
        lot_objective_tax=objective_tax,
        lot_sellable=lot_sellable,
        lot_block=lot_block,
        buy_ok=buy_ok,
        buy_block=buy_block,
        target_published=np.array([float(case.target.get(s, Decimal(0))) for s in symbols]),
        target_adjusted=target_adjusted,
        target_cash=1.0 - float(target_adjusted.sum()),
        security_class=security_class,
        n_classes=len(classes),
        security_group=security_group,
        group_names=groups,
        wash_groups=wash_groups,
        cash0=float(case.cash) / value,
        cash_required=float(case.preferences.cash.min + case.preferences.cash.withdrawal) / value,
        cost_rate=float(case.preferences.trading.cost_bps) / 10_000.0,
        max_gain=_cap(tax.max_realized_gain, value),
        max_short_gain=_cap(tax.max_short_term_gain, value),
        idio_weight=idio,
        factor_loadings=loadings,
        factor_weight=factor_weight,
        screened=screened,
        substituted=substituted,
        substitute_to=frozenset(sub.to_symbol for sub in case.preferences.substitutions),
        restricted=restricted,
    )


def _cap(cap: Decimal | None, value: float) -> float | None:
    return None if cap is None else float(cap) / value


def _buy_block(
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


def _lot_blocks(
    *,
    symbols: tuple[str, ...],
    lot_security: np.ndarray,
    restricted: dict[str, str],
    taxable: bool,
    is_loss: np.ndarray,
    blocked: np.ndarray,
) -> tuple[str, ...]:
    """Why each lot may not be sold ("" when it may): a restriction, or in a taxable
    account a loss in a group bought within 30 days."""
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
    return tuple(blocks.tolist())


def long_term_lots(*, lots: tuple, as_of: date) -> np.ndarray:
    """Held more than a year on `as_of` (after the anniversary; 29 Feb's is 1 March)."""
    if not lots:
        return np.zeros(0, dtype=bool)
    codes = np.array([(lot.acquired.year, lot.acquired.month, lot.acquired.day) for lot in lots])
    anniversary = (codes[:, 0] + 1) * 10_000 + codes[:, 1] * 100 + codes[:, 2]
    leap_day = (codes[:, 1] == 2) & (codes[:, 2] == 29)
    anniversary = np.where(leap_day, (codes[:, 0] + 1) * 10_000 + 301, anniversary)
    return as_of.year * 10_000 + as_of.month * 100 + as_of.day > anniversary


def _wash_groups(
    *,
    taxable: bool,
    n_groups: int,
    security_group: np.ndarray,
    buy_ok: np.ndarray,
    lot_group: np.ndarray,
    lot_candidate: np.ndarray,
) -> np.ndarray:
    """Groups where buying and selling at a loss are both possible: a direction is needed."""
    if not taxable:
        return np.zeros(0, dtype=int)
    can_buy = np.zeros(n_groups, dtype=bool)
    can_buy[security_group[buy_ok]] = True
    can_sell_loss = np.zeros(n_groups, dtype=bool)
    can_sell_loss[lot_group[lot_candidate]] = True
    return np.flatnonzero(can_buy & can_sell_loss)


def _risk_model(
    *, case: Case, symbols: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Idiosyncratic weights and factor loadings/weights, already multiplied by the risk
    aversion. Without a factor model: a light weight on each security's own deviation."""
    model = case.factor_model
    if model is None:
        return np.full(len(symbols), SECURITY_WEIGHT), np.zeros((len(symbols), 0)), np.zeros(0)
    position = {symbol: i for i, symbol in enumerate(model.symbols)}
    loadings = np.asarray(model.loadings, dtype=float).reshape(len(model.symbols), -1)
    idio_source = np.asarray(model.idiosyncratic_variances, dtype=float)
    rows = np.array([position.get(s, -1) for s in symbols])
    known = rows >= 0
    out_loadings = np.zeros((len(symbols), loadings.shape[1]))
    out_loadings[known] = loadings[rows[known]]
    idio = np.full(len(symbols), float(idio_source.mean()) if len(idio_source) else 0.0)
    idio[known] = idio_source[rows[known]]
    factor_weight = np.asarray(model.factor_variances, dtype=float) * FACTOR_RISK_AVERSION
    return idio * FACTOR_RISK_AVERSION, out_loadings, factor_weight
