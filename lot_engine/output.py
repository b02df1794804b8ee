"""The contract's JSON output: amounts rounded to cents here and only here.

Serialisation is deterministic: the same :class:`EngineResult` always gives the same
dictionary, and :func:`dumps` the same bytes.
"""

from __future__ import annotations

import decimal
import json
from decimal import Decimal
from typing import Any

from money import ZERO_CENTS, cents_half_up, plain_digits

from .numbers import PRECISION
from .types import CashRow, EngineResult, GiftRow, OpenLot, RealizedRow


def to_dict(result: EngineResult, /) -> dict[str, Any]:
    """The result as the contract's JSON object (all numbers as strings).

    The rows of one sale have their ``proceeds`` rounded cumulatively, so they add up to
    the sale's amount to the cent. Each row's ``gain`` is its rounded ``proceeds`` minus
    its rounded ``cost_basis``, so the identity holds in the output too, and its
    ``disallowed_loss`` is capped at that loss. Totals are computed from exact values and
    rounded once. ``cash`` (what corporate actions paid) is present only when the input
    had corporate actions, and ``gifts`` (lots given away in kind) only when it had a
    gift, so the output for buys and sells alone is unchanged.
    """
    with decimal.localcontext(decimal.Context(prec=PRECISION)):
        return _contract_object(result)


def _contract_object(result: EngineResult) -> dict[str, Any]:
    output: dict[str, Any] = {
        "lots": [_lot(lot) for lot in result.lots],
        "realized": [
            _row(row, proceeds=proceeds)
            for row, proceeds in zip(result.realized, _sale_proceeds(result.realized), strict=True)
        ],
        "totals": {
            "short_term_gain": str(cents_half_up(result.totals.short_term_gain)),
            "long_term_gain": str(cents_half_up(result.totals.long_term_gain)),
            "disallowed_loss": str(cents_half_up(result.totals.disallowed_loss)),
        },
    }
    if result.has_actions:
        output["cash"] = [_cash(row) for row in result.cash]
    if result.has_gifts:
        output["gifts"] = [_gift(row) for row in result.gifts]
    return output


def _gift(row: GiftRow) -> dict[str, str]:
    value = cents_half_up(row.market_value)
    basis = cents_half_up(row.cost_basis)
    return {
        "gift": row.gift,
        "lot": row.lot,
        "account": row.account,
        "symbol": row.symbol,
        "quantity": plain_digits(row.quantity),
        "acquired": row.acquired.isoformat(),
        "given": row.given.isoformat(),
        "market_value": str(value),
        "cost_basis": str(basis),
        "appreciation": str(value - basis),
        "term": row.term.value,
    }


def _cash(row: CashRow) -> dict[str, str]:
    return {
        "event": row.event,
        "account": row.account,
        "symbol": row.symbol,
        "kind": row.kind.value,
        "date": row.date.isoformat(),
        "amount": str(cents_half_up(row.amount)),
    }


def dumps(result: EngineResult, /) -> str:
    """The result as JSON text, keys in contract order, with a trailing newline."""
    return json.dumps(to_dict(result), indent=1) + "\n"


def _lot(lot: OpenLot) -> dict[str, str]:
    return {
        "id": lot.id,
        "account": lot.account,
        "symbol": lot.symbol,
        "quantity": plain_digits(lot.quantity),
        "cost_basis": str(cents_half_up(lot.cost_basis)),
        "acquired": lot.acquired.isoformat(),
        "holding_period_start": lot.holding_period_start.isoformat(),
        "wash_sale_adjustment": str(cents_half_up(lot.wash_sale_adjustment)),
    }


def _sale_proceeds(rows: tuple[RealizedRow, ...]) -> list[Decimal]:
    """Each row's proceeds in cents, rounded cumulatively within its sale."""
    rounded = []
    sale, exact_sum, rounded_sum = None, Decimal(0), ZERO_CENTS
    for row in rows:
        if row.sale != sale:
            sale, exact_sum, rounded_sum = row.sale, Decimal(0), ZERO_CENTS
        exact_sum += row.proceeds
        share = cents_half_up(exact_sum) - rounded_sum
        rounded_sum += share
        rounded.append(share)
    return rounded


def _row(row: RealizedRow, *, proceeds: Decimal) -> dict[str, str]:
    basis = cents_half_up(row.cost_basis)
    gain = proceeds - basis
    disallowed = min(cents_half_up(row.disallowed_loss), max(-gain, ZERO_CENTS))
    return {
        "sale": row.sale,
        "lot": row.lot,
        "account": row.account,
        "symbol": row.symbol,
        "quantity": plain_digits(row.quantity),
        "acquired": row.acquired.isoformat(),
        "sold": row.sold.isoformat(),
        "proceeds": str(proceeds),
        "cost_basis": str(basis),
        "gain": str(gain if gain else ZERO_CENTS),
        "term": row.term.value,
        "disallowed_loss": str(disallowed if disallowed else ZERO_CENTS),
    }
