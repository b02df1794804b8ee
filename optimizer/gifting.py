"""A planned charitable gift in kind: which lots to give, and the account without them.

A gift of appreciated long-term shares avoids the tax their sale would cost, so the
lots given are those whose appreciation is the largest share of their value (the most
tax avoided per dollar given): long-term on the gift's date, at a gain, not restricted
from selling, taken whole in that order (ties in case order) until the next lot would
pass the amount; that lot gives what fits and the next lots fill what is left (whole
shares unless fractional). The gift
may fall short of the amount when the account holds too few such lots. The rebalance
runs on the account without the given shares; the tax avoided is the appreciation at
the long-term rate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_DOWN, Decimal

from money import ZERO, cents_half_up
from optimizer.output import SHARE_STEP
from optimizer.rules import active_restrictions
from optimizer.types import Case, GiftedLot, Lots, OptimizeResult
from optimizer.verify import SELL_RESTRICTIONS
from tax_calendar.holding import is_long_term


@dataclass(frozen=True)
class Gift:
    """The lots a gift gives and the case of the account after it."""

    lots: tuple[GiftedLot, ...]
    case_after: Case

    @property
    def value(self) -> Decimal:
        return sum((g.value for g in self.lots), ZERO)

    @property
    def appreciation(self) -> Decimal:
        return sum((g.appreciation for g in self.lots), ZERO)


def planned_gift(case: Case) -> Gift | None:
    """The gift of `case.preferences.gift`, or None when the case plans none."""
    plan = case.preferences.gift
    if plan is None:
        return None
    prices = dict(zip(case.securities.symbol.tolist(), case.securities.price.tolist(), strict=True))
    restricted = active_restrictions(case=case)
    lots = case.lots
    whole = not case.preferences.trading.fractional_shares
    rows: list[_Row] = list(
        zip(
            lots.id.tolist(),
            lots.symbol.tolist(),
            lots.quantity.tolist(),
            lots.cost_basis.tolist(),
            lots.acquired.tolist(),
            strict=True,
        )
    )
    eligible = [
        (index, row)
        for index, row in enumerate(rows)
        if restricted.get(row[1]) not in SELL_RESTRICTIONS
        and is_long_term(start=row[4], sold=plan.date)
        and row[2] * prices[row[1]] > row[3]
    ]
    eligible.sort(key=lambda item: (-_appreciation_share(item[1], prices), item[0]))
    given: dict[int, Decimal] = {}
    gifted: list[GiftedLot] = []
    left = plan.amount
    for index, (lot_id, symbol, quantity, basis, _) in eligible:
        price = prices[symbol]
        fits = min(quantity, left / price)
        fits = (
            fits.to_integral_value(ROUND_DOWN) if whole else fits.quantize(SHARE_STEP, ROUND_DOWN)
        )
        if fits <= 0:
            continue
        value = cents_half_up(fits * price)
        part_basis = cents_half_up(basis * fits / quantity)
        gifted.append(
            GiftedLot(
                lot=lot_id,
                symbol=symbol,
                quantity=fits,
                price=price,
                value=value,
                cost_basis=part_basis,
                appreciation=value - part_basis,
            )
        )
        given[index] = fits
        left -= fits * price
    if not gifted:
        return Gift(lots=(), case_after=case)
    return Gift(lots=tuple(gifted), case_after=replace(case, lots=_without(rows, given=given)))


_Row = tuple[str, str, Decimal, Decimal, date]


def _appreciation_share(row: _Row, prices: dict[str, Decimal]) -> Decimal:
    _, symbol, quantity, basis, _ = row
    value: Decimal = quantity * prices[symbol]
    return (value - basis) / value


def _without(rows: list[_Row], *, given: dict[int, Decimal]) -> Lots:
    """The lots left after the gift: a lot given in part keeps its basis per share."""
    left = []
    for index, (lot_id, symbol, quantity, basis, acquired) in enumerate(rows):
        gone = given.get(index, ZERO)
        if gone == quantity:
            continue
        kept = quantity - gone
        left.append(
            (lot_id, symbol, kept, basis if not gone else basis * kept / quantity, acquired)
        )
    return Lots.from_rows(left)


def with_gift(result: OptimizeResult, *, gift: Gift, case: Case) -> OptimizeResult:
    """The answer with the gift's lots and, in its summary, their value and tax avoided."""
    if result.summary is None:
        return replace(result, gifts=gift.lots)
    avoided = cents_half_up(gift.appreciation * case.preferences.tax.long_term_rate)
    return replace(
        result,
        gifts=gift.lots,
        summary=replace(result.summary, gift_value=gift.value, gift_tax_avoided=avoided),
    )
