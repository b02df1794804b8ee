"""From a typed `Case` to the arrays the QP needs: targets after screens and substitutions,
trade bounds from restrictions and the wash-sale rule, and per-lot tax coefficients.

All money is expressed as a fraction of the account value V (holdings plus cash) so the
problem is well scaled whatever the account's size.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property

import numpy as np

from money import ZERO
from optimizer.drift import case_lines, effective_drift
from optimizer.risk import (
    FALLBACK_STOCK_SPECIFIC_VARIANCE,
    RISK_PRICE,
    AlignedModel,
    aligned,
    fallback_model,
)
from optimizer.rules import (
    active_restrictions,
    adjusted_target,
    buy_block,
    long_term_lots,
    lot_blocks,
    recent_groups,
    screened_symbols,
    waiting_for_long_term,
)
from optimizer.tax_value import MarginalRates, objective_tax, start_rates
from optimizer.types import Case

CLASS_WEIGHT = 1.0
EXCLUDED_SPECIFIC_VARIANCE = FALLBACK_STOCK_SPECIFIC_VARIANCE
IMPACT_WEIGHT = 0.0005
MIN_COST_RATE = 0.0002


@dataclass(frozen=True)
class LotColumns:
    """The case's lots as lists (quantity and cost basis as Decimals), in the case's order."""

    quantity: list[Decimal]
    cost_basis: list[Decimal]
    id: list[str]
    is_short: list[bool]


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
    risk: AlignedModel
    risk_price: float
    target_model: np.ndarray
    invest_share: float
    security_sector: np.ndarray
    sector_names: tuple[str, ...]
    te_limit: float | None
    sector_limit: float | None
    class_limit: float | None
    screened: frozenset[str]
    substituted: frozenset[str]
    substitute_to: frozenset[str]
    restricted: dict[str, str]
    effective_target: dict[str, float]
    """Symbol -> effective target weight (`optimizer.drift.effective_target`)."""

    @property
    def n_securities(self) -> int:
        return len(self.symbols)

    @property
    def n_lots(self) -> int:
        return len(self.lot_qty)

    @cached_property
    def held_by_symbol(self) -> dict[str, Decimal]:
        """Shares held per symbol before trading (made once per case)."""
        return self.case.lots.held_by_symbol

    @cached_property
    def lot_columns(self) -> LotColumns:
        """The case's lots as Python lists, for writing lot reliefs (made once per account)."""
        lots = self.case.lots
        return LotColumns(
            quantity=lots.quantity.tolist(),
            cost_basis=lots.cost_basis.tolist(),
            id=[str(lot_id) for lot_id in lots.id.tolist()],
            is_short=self.lot_is_short.tolist(),
        )

    @cached_property
    def positions_before(self) -> dict[str, Decimal]:
        """Market value per symbol before trading, at the case's prices (made once per
        account)."""
        price_of = self.case.securities.price_of
        return {s: q * price_of(s) for s, q in self.held_by_symbol.items()}

    @cached_property
    def value_and_drift_before(self) -> tuple[Decimal, float]:
        """The account's value (holdings at the case's prices plus cash) and its effective
        drift before trading, in the summary's decimals (made once per account)."""
        case = self.case
        before = self.positions_before
        target, lines = self.drift_basis
        drift = effective_drift(values=before, cash=case.cash, target=target, lines=lines)
        return case.cash + sum(before.values(), ZERO), drift

    @cached_property
    def drift_basis(self) -> tuple[dict[str, float], dict[str, str]]:
        """The case's effective target and drift lines (`optimizer.drift`), made once per
        account."""
        return self.effective_target, case_lines(case=self.case)


def prepare(*, case: Case) -> Prepared:
    """Turn a case into arrays; see `Prepared`."""
    order = np.argsort(case.securities.symbol.astype(str), kind="stable")
    symbols = tuple(case.securities.symbol[order].tolist())
    price = case.securities.price[order].astype(float)
    lots = _lot_arrays(case=case, symbols=symbols, order=order, price=price)
    held_qty = np.bincount(lots.security, weights=lots.qty, minlength=len(symbols)).astype(float)
    value = float(case.cash) + float(held_qty @ price)
    if value <= 0:
        value = max(1.0, float(case.preferences.cash.min + case.preferences.cash.withdrawal))
    taxable = case.tax_status == "taxable"
    tax = case.preferences.tax
    objective_tax = (
        lot_objective_tax(case=case, rates=start_rates(tax), lots=lots)
        if taxable
        else np.zeros_like(lots.market)
    )
    blocks = _blocks(
        case=case,
        symbols=symbols,
        groups=[str(g) for g in case.securities.identical_group[order].tolist()],
        lots=lots,
    )
    groups, security_group = _index(case.securities.identical_group[order])
    classes, security_class = _index(case.securities.asset_class[order])
    target_map = adjusted_target(case=case, screened=blocks.screened)
    invest_share = max(0.0, 1.0 - float(case.preferences.cash.withdrawal) / value)
    target_adjusted = np.array([target_map.get(s, 0.0) for s in symbols]) * invest_share
    risk, risk_price = _risk_model(case=case, symbols=symbols)
    sectors, security_sector = _sectors(case.securities.sector[order])
    weights = case.target
    published = np.array([float(weights[s]) if s in weights else 0.0 for s in symbols])
    limits = case.preferences.risk
    return Prepared(
        case=case,
        value=value,
        symbols=symbols,
        price=price,
        held_qty=held_qty,
        holding=held_qty * price / value,
        lot_security=lots.security,
        lot_qty=lots.qty,
        lot_value=lots.market / value,
        lot_gain_ratio=lots.gain_ratio,
        lot_is_short=lots.is_short,
        lot_tax_rate=lots.tax_rate if taxable else np.zeros_like(lots.market),
        lot_objective_tax=objective_tax,
        lot_sellable=blocks.lot_sellable,
        lot_block=blocks.lot_block,
        buy_ok=blocks.buy_ok,
        buy_block=blocks.buy_block,
        target_published=published,
        target_adjusted=target_adjusted,
        target_cash=1.0 - float(target_adjusted.sum()),
        security_class=security_class,
        n_classes=len(classes),
        security_group=security_group,
        group_names=groups,
        wash_groups=_wash_groups(
            taxable=taxable,
            n_groups=len(groups),
            security_group=security_group,
            buy_ok=blocks.buy_ok,
            lot_group=security_group[lots.security],
            lot_candidate=blocks.lot_sellable & lots.is_loss,
        ),
        cash0=float(case.cash) / value,
        cash_required=float(case.preferences.cash.min + case.preferences.cash.withdrawal) / value,
        cost_rate=float(case.preferences.trading.cost_bps) / 10_000.0,
        max_gain=_cap(cap=tax.max_realized_gain, value=value),
        max_short_gain=_cap(cap=tax.max_short_term_gain, value=value),
        idio_weight=_specific_weight(
            risk=risk,
            price=risk_price,
            symbols=symbols,
            excluded=blocks.screened | blocks.substituted,
        ),
        factor_loadings=risk.exposure,
        factor_weight=np.full(risk.exposure.shape[1], risk_price),
        risk=risk,
        risk_price=risk_price,
        target_model=published * invest_share,
        invest_share=invest_share,
        security_sector=security_sector,
        sector_names=sectors,
        te_limit=_percent(limits.tracking_error_limit_pct),
        sector_limit=_percent(limits.sector_limit_pct),
        class_limit=_percent(limits.asset_class_limit_pct),
        screened=blocks.screened,
        substituted=blocks.substituted,
        substitute_to=frozenset(sub.to_symbol for sub in case.preferences.substitutions),
        restricted=blocks.restricted,
        effective_target=target_map,
    )


@dataclass(frozen=True)
class _Lots:
    security: np.ndarray
    qty: np.ndarray
    market: np.ndarray
    gain_ratio: np.ndarray
    is_short: np.ndarray
    is_loss: np.ndarray
    tax_rate: np.ndarray


def _lot_arrays(
    *, case: Case, symbols: tuple[str, ...], order: np.ndarray, price: np.ndarray
) -> _Lots:
    """Per-lot arrays: security index, shares, market value, gain per dollar (the gain
    computed in decimals, so a lot exactly at its basis is no loss), term, rate."""
    lots = case.lots
    if not len(lots):
        empty = np.zeros(0)
        return _Lots(
            security=np.zeros(0, dtype=int),
            qty=empty,
            market=empty,
            gain_ratio=empty,
            is_short=np.zeros(0, dtype=bool),
            is_loss=np.zeros(0, dtype=bool),
            tax_rate=empty,
        )
    position = {symbol: i for i, symbol in enumerate(symbols)}
    security = np.array([position[symbol] for symbol in lots.symbol.tolist()], dtype=int)
    qty = lots.quantity.astype(float)
    decimal_price = case.securities.price[order][security]
    gain = (lots.quantity * decimal_price - lots.cost_basis).astype(float)
    market = qty * price[security]
    is_short = ~long_term_lots(acquired=lots.acquired, as_of=case.as_of)
    tax = case.preferences.tax
    return _Lots(
        security=security,
        qty=qty,
        market=market,
        gain_ratio=np.divide(gain, market, out=np.zeros_like(market), where=market > 0),
        is_short=is_short,
        is_loss=gain < 0,
        tax_rate=np.where(is_short, float(tax.short_term_rate), float(tax.long_term_rate)),
    )


@dataclass(frozen=True)
class _Blocks:
    screened: frozenset[str]
    substituted: frozenset[str]
    restricted: dict[str, str]
    buy_block: tuple[str, ...]
    buy_ok: np.ndarray
    lot_block: tuple[str, ...]
    lot_sellable: np.ndarray


def _blocks(*, case: Case, symbols: tuple[str, ...], groups: list[str], lots: _Lots) -> _Blocks:
    """What each rule forbids: purchases per security, sales per lot (`groups`: each
    security's identical group)."""
    screened = screened_symbols(case=case)
    restricted = active_restrictions(case=case)
    substituted = frozenset(sub.from_symbol for sub in case.preferences.substitutions)
    loss_sale_groups = recent_groups(case=case, events=case.recent_loss_sales)
    recent_buy_groups = recent_groups(case=case, events=case.recent_buys)
    buy_blocks = tuple(
        buy_block(
            symbol=s,
            restricted=restricted,
            screened=screened,
            substituted=substituted,
            loss_sale_groups=loss_sale_groups,
            group=group,
        )
        for s, group in zip(symbols, groups, strict=True)
    )
    lot_block_list = lot_blocks(
        symbols=symbols,
        lot_security=lots.security,
        restricted=restricted,
        taxable=case.tax_status == "taxable",
        is_loss=lots.is_loss,
        blocked=np.array([group in recent_buy_groups for group in groups], dtype=bool),
        waiting=waiting_for_long_term(
            acquired=case.lots.acquired,
            as_of=case.as_of,
            days=case.preferences.tax.long_term_wait_days,
            is_gain=lots.gain_ratio > 0,
        ),
    )
    return _Blocks(
        screened=screened,
        substituted=substituted,
        restricted=restricted,
        buy_block=buy_blocks,
        buy_ok=np.array([block == "" for block in buy_blocks], dtype=bool),
        lot_block=lot_block_list,
        lot_sellable=np.array([block == "" for block in lot_block_list], dtype=bool),
    )


def _index(values: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """The distinct values of a security attribute, and each security's position in them."""
    names, position = np.unique(values.astype(str), return_inverse=True)
    return tuple(names.tolist()), position.astype(int)


def _cap(*, cap: Decimal | None, value: float) -> float | None:
    return None if cap is None else float(cap) / value


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


def _risk_model(*, case: Case, symbols: tuple[str, ...]) -> tuple[AlignedModel, float]:
    """The case's risk model (or the built-in fallback) in the case's security order, and
    the price of a unit of tracking variance (fraction of the account per year of
    variance): `RISK_PRICE` times the account's risk aversion."""
    model = case.risk_model if case.risk_model is not None else fallback_model(case.securities)
    return aligned(model, symbols), RISK_PRICE * float(case.preferences.risk.risk_aversion)


def _specific_weight(
    *, risk: AlignedModel, price: float, symbols: tuple[str, ...], excluded: frozenset[str]
) -> np.ndarray:
    """The objective's weight on each security's own active weight: its specific variance
    times the price of risk. A holding the client excluded (screened, or substituted away)
    is weighed at least as a single stock's specific risk (`EXCLUDED_SPECIFIC_VARIANCE`), so
    that it is sold whole when taxes allow rather than trimmed to where trading stops
    paying."""
    specific = risk.specific.copy()
    out = np.array([s in excluded for s in symbols], dtype=bool)
    specific[out] = np.maximum(specific[out], EXCLUDED_SPECIFIC_VARIANCE)
    weight: np.ndarray = specific * price
    return weight


def weighed_tracking(prep: Prepared, active: np.ndarray) -> float:
    """The objective's tracking term of active weights `active` (a fraction of the
    account): the factor part and each security's own part at the objective's weights
    (`factor_weight`, `idio_weight`: an excluded holding weighed as `_specific_weight`
    says)."""
    f = prep.factor_loadings.T @ active
    return float(prep.factor_weight @ (f * f) + prep.idio_weight @ (active * active))


def _sectors(values: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """The distinct GICS sectors, and each security's position in them (-1: none)."""
    known = np.array([v is not None for v in values.tolist()], dtype=bool)
    position = np.full(len(values), -1, dtype=int)
    if not known.any():
        return (), position
    names, inverse = np.unique(values[known].astype(str), return_inverse=True)
    position[known] = inverse
    return tuple(names.tolist()), position


def _percent(value: Decimal | None) -> float | None:
    return None if value is None else float(value) / 100.0


def lot_objective_tax(*, case: Case, rates: MarginalRates, lots: _Lots) -> np.ndarray:
    """The objective's tax per dollar sold of each lot at `rates` (`tax_value.py`)."""
    return objective_tax(
        tax=case.preferences.tax,
        rates=rates,
        is_short=lots.is_short,
        gain_ratio=lots.gain_ratio,
        market=lots.market,
    )


def revalued(prep: Prepared, *, rates: MarginalRates) -> Prepared:
    """The same account with its lots' tax valued at other marginal rates (the Schedule D
    re-solve)."""
    lots = _Lots(
        security=prep.lot_security,
        qty=prep.lot_qty,
        market=prep.lot_value * prep.value,
        gain_ratio=prep.lot_gain_ratio,
        is_short=prep.lot_is_short,
        is_loss=prep.lot_gain_ratio < 0,
        tax_rate=prep.lot_tax_rate,
    )
    return replace(
        prep, lot_objective_tax=lot_objective_tax(case=prep.case, rates=rates, lots=lots)
    )


def reweighted(prep: Prepared, *, factor: float) -> Prepared:
    """The same account with its tracking term weighted `factor` times as heavily (the
    tracking-error limit's re-solve)."""
    return replace(
        prep,
        idio_weight=prep.idio_weight * factor,
        factor_weight=prep.factor_weight * factor,
        risk_price=prep.risk_price * factor,
    )


def tracking_error_before(prep: Prepared) -> float:
    """Tracking error of the account as it stands, against the published target, once the
    cash it holds has paid what it can of a pending withdrawal: the base its answer is
    measured on (`published_active`) when the cash covers the withdrawal. So an account
    that a proposal left ready to pay its withdrawal starts the next night where that
    proposal ended, and a withdrawal the cash cannot cover is not counted as tracking
    error before any trade."""
    paid = min(1.0 - prep.invest_share, max(prep.cash0, 0.0))
    share = max(1.0 - paid, 1e-9)
    return prep.risk.tracking_error(prep.holding / share - prep.target_published)
