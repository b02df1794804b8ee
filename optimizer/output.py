"""From share quantities to contract figures, with explicit decimal rounding.

Money rounds half-up to the cent, except the transaction cost, which rounds up (so the
cash reported never exceeds the cash there will be); ratios round half-up to 4 places;
fractional quantities to 6 places.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import numpy as np

from money import CENT, ZERO, ZERO_CENTS, cents_half_up
from optimizer.drift import effective_drift
from optimizer.lots import lot_order_key
from optimizer.prepare import Prepared
from optimizer.types import LotRelief, RuleCost, Summary, Trade

RATIO = Decimal("0.0001")
SHARE_STEP = Decimal("0.000001")


def _decimal(value: Decimal | float) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def ratio(value: Decimal | float) -> Decimal:
    rounded = _decimal(value).quantize(RATIO, rounding=ROUND_HALF_UP)
    return rounded if rounded != 0 else ZERO.quantize(RATIO)


def quantity(value: float, *, whole: bool) -> Decimal:
    if whole:
        return Decimal(int(round(value)))
    return Decimal(repr(float(value))).quantize(SHARE_STEP, rounding=ROUND_HALF_UP).normalize()


def plain(value: Decimal) -> str:
    """A decimal as a plain string, never in exponent form."""
    return format(value, "f")


def relief_order(*, prep: Prepared, lot_sold: np.ndarray) -> dict[int, list[int]]:
    """Security -> the lots its sale relieves, cheapest tax per share first."""
    key = lot_order_key(prep=prep)
    sold = np.flatnonzero(lot_sold > 0)
    ids = prep.case.lots.id[sold]
    order = sold[np.lexsort((ids, key[sold], prep.lot_security[sold]))] if len(sold) else sold
    grouped: dict[int, list[int]] = {}
    for j in order.tolist():
        grouped.setdefault(int(prep.lot_security[j]), []).append(j)
    return grouped


def _settle(pieces: list[Decimal], *, capacity: list[Decimal], total: Decimal) -> None:
    """Make ``pieces`` add up to ``total`` without any piece leaving [0, its lot]: a shortfall
    from rounding is taken from the lots in relief order, an excess given back from the last."""
    gap = total - sum(pieces, ZERO)
    order = range(len(pieces)) if gap > 0 else reversed(range(len(pieces)))
    for k in order:
        if gap == 0:
            break
        step = min(gap, capacity[k] - pieces[k]) if gap > 0 else max(gap, -pieces[k])
        pieces[k] += step
        gap -= step


def lot_reliefs(
    *, prep: Prepared, i: int, total: Decimal, lot_sold: Sequence[float], lots: list[int]
) -> tuple[LotRelief, ...]:
    """The lots one sale relieves, in relief order; their quantities add up to `total`.
    `lot_sold` is shares sold per lot (a list: it is read a few lots at a time)."""
    price = prep.case.securities.price_of(prep.symbols[i])
    whole = not prep.case.preferences.trading.fractional_shares
    columns = prep.lot_columns
    held_of, basis_of, id_of, short_of = (
        columns.quantity,
        columns.cost_basis,
        columns.id,
        columns.is_short,
    )
    capacity: list[Decimal] = [held_of[j] for j in lots]
    pieces = [
        min(quantity(sold, whole=whole), cap)
        for sold, cap in zip([lot_sold[j] for j in lots], capacity, strict=True)
    ]
    _settle(pieces, capacity=capacity, total=total)
    reliefs = []
    for piece, held, j in zip(pieces, capacity, lots, strict=True):
        if piece <= 0:
            continue
        cost_basis = basis_of[j]
        basis = cents_half_up(cost_basis if piece == held else cost_basis * piece / held)
        gain = cents_half_up(piece * price) - basis
        reliefs.append(
            LotRelief(
                lot=id_of[j],
                quantity=piece,
                cost_basis=basis,
                gain=gain if gain != 0 else ZERO_CENTS,
                term="short" if short_of[j] else "long",
            )
        )
    return tuple(reliefs)


def summarize(
    *, prep: Prepared, trades: tuple[Trade, ...], rules: tuple[RuleCost, ...]
) -> tuple[Decimal, Summary]:
    """(cash after trades and costs, summary)."""
    case = prep.case
    traded = sum((t.value for t in trades), ZERO)
    cost = (case.preferences.trading.cost_bps / Decimal(10_000) * traded).quantize(
        CENT, rounding=ROUND_CEILING
    )
    sells = sum((t.value for t in trades if t.side == "sell"), ZERO)
    buys = sum((t.value for t in trades if t.side == "buy"), ZERO)
    cash = case.cash + sells - buys - cost
    reliefs = [r for t in trades for r in t.lots]
    short = sum((r.gain for r in reliefs if r.term == "short"), ZERO)
    long = sum((r.gain for r in reliefs if r.term == "long"), ZERO)
    tax = ZERO
    if case.tax_status == "taxable":
        tax = (
            short * case.preferences.tax.short_term_rate
            + long * case.preferences.tax.long_term_rate
        )
    value, drift_before = prep.value_and_drift_before
    positions = _positions_after(prep=prep, trades=trades)
    summary = Summary(
        realized_short_term_gain=cents_half_up(short),
        realized_long_term_gain=cents_half_up(long),
        estimated_tax=cents_half_up(tax),
        transaction_cost=cents_half_up(cost),
        turnover=ratio(traded / value if value > 0 else ZERO),
        drift_before=ratio(drift_before),
        drift_after=ratio(drift(prep=prep, positions=positions, cash=cents_half_up(cash))),
        binding_rules=rules,
    )
    return cents_half_up(cash), summary


def held_shares(*, prep: Prepared) -> dict[str, Decimal]:
    """Shares held per symbol before trading."""
    return prep.held_by_symbol


def holdings_after(
    *, prep: Prepared, trades: tuple[Trade, ...], held: dict[str, Decimal] | None = None
) -> dict[str, Decimal]:
    """Market value per symbol after the trades."""
    case = prep.case
    shares = dict(held if held is not None else held_shares(prep=prep))
    for trade in trades:
        sign = 1 if trade.side == "buy" else -1
        shares[trade.symbol] = shares.get(trade.symbol, ZERO) + sign * trade.quantity
    price_of = case.securities.price_of
    return {s: q * price_of(s) for s, q in shares.items()}


def _positions_after(*, prep: Prepared, trades: tuple[Trade, ...]) -> dict[str, Decimal]:
    """`holdings_after` from the account's market values before trading, remade for the
    traded symbols only."""
    held = prep.held_by_symbol
    shares: dict[str, Decimal] = {}
    for trade in trades:
        sign = 1 if trade.side == "buy" else -1
        symbol = trade.symbol
        shares[symbol] = shares.get(symbol, held.get(symbol, ZERO)) + sign * trade.quantity
    positions = dict(prep.positions_before)
    price_of = prep.case.securities.price_of
    for symbol, q in shares.items():
        positions[symbol] = q * price_of(symbol)
    return positions


def drift(*, prep: Prepared, positions: dict[str, Decimal], cash: Decimal) -> float:
    """Effective drift (`optimizer.drift`) of holdings worth `positions` plus `cash`."""
    target, lines = prep.drift_basis
    return effective_drift(values=positions, cash=cash, target=target, lines=lines)
