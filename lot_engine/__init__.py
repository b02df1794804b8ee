"""The tax-lot engine: lots, holding periods and wash sales under US rules.

A pure library (standard library and ``decimal`` only) implementing
``shared/contracts/lots.md``: a household's transactions in, open lots and realized
gains out. ``python manage.py lots`` and the platform's lot ledger both call it.

- :func:`parse_events` validates the contract's decoded JSON into an :class:`EngineInput`;
- :func:`process` applies it and returns an :class:`EngineResult` with exact amounts;
- :func:`run` does both and returns the contract's output object (amounts in cents).

Corporate actions (splits, dividends, spin-offs, symbol changes, mergers) are events in
the same list, applied to every holder; :mod:`lot_engine.actions` says what each does.

Beyond the contract, an ``accounts`` entry may carry its own ``method``, which then
applies to that account's sales instead of the file's; the platform uses it when the
accounts of one household prefer different relief methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .engine import process
from .errors import LotEngineInputError
from .output import dumps, to_dict
from .parsing import parse_action, parse_events
from .types import (
    AccountSpec,
    ActionKind,
    CashKind,
    CashRow,
    CorporateAction,
    EngineInput,
    EngineResult,
    GiftRow,
    LotPick,
    Method,
    OpenLot,
    RealizedRow,
    Replacement,
    TaxStatus,
    Term,
    Totals,
    Transaction,
    TransactionType,
)


def run(data: Mapping[str, Any], /) -> dict[str, Any]:
    """Parse, process and serialise: contract JSON in (decoded), contract JSON out.

    Raises :class:`LotEngineInputError` when the input breaks the contract.
    """
    return to_dict(process(parse_events(data)))


__all__ = [
    "AccountSpec",
    "ActionKind",
    "CashKind",
    "CashRow",
    "CorporateAction",
    "EngineInput",
    "EngineResult",
    "LotEngineInputError",
    "LotPick",
    "Method",
    "OpenLot",
    "GiftRow",
    "RealizedRow",
    "Replacement",
    "TaxStatus",
    "Term",
    "Totals",
    "Transaction",
    "TransactionType",
    "dumps",
    "parse_action",
    "parse_events",
    "process",
    "run",
    "to_dict",
]
