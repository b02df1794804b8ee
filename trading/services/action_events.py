"""Which stored corporate actions a household's lots undergo, as lot-engine events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from lot_engine import ActionKind
from lot_engine import CorporateAction as EngineAction
from models_library.models import CorporateAction, Security


def engine_action_id(action: CorporateAction) -> str:
    """The engine's id of a stored action (kept apart from transactions' ids)."""
    return f"ca:{action.reference}"


def due_actions(*, today: dt.date) -> list[CorporateAction]:
    """Every action in effect by ``today``, in date order: a dividend is paid on its pay date
    and not before, so cash and reinvested shares are never counted ahead of it."""
    return list(
        CorporateAction.objects.filter(effective_date__lte=today)
        .select_related("security", "new_security")
        .order_by("effective_date", "id")
    )


def household_actions(
    *, actions: Iterable[CorporateAction], symbols: Iterable[str]
) -> list[CorporateAction]:
    """The actions on symbols the household held, following renames, spin-offs and mergers
    (a split of a symbol that an earlier symbol change led to counts)."""
    held = set(symbols)
    chosen = []
    for action in sorted(actions, key=lambda a: (a.entitlement_date, a.effective_date, a.pk)):
        if action.security.symbol not in held:
            continue
        chosen.append(action)
        if action.new_security is not None:
            held.add(action.new_security.symbol)
    return chosen


def action_securities(actions: Iterable[CorporateAction]) -> dict[str, Security]:
    found: dict[str, Security] = {}
    for action in actions:
        found[action.security.symbol] = action.security
        if action.new_security is not None:
            found[action.new_security.symbol] = action.new_security
    return found


def engine_action(action: CorporateAction, *, index: int) -> EngineAction:
    ratio = None
    if action.ratio_new is not None:
        ratio = (action.ratio_new, action.ratio_old or Decimal(1))
    return EngineAction(
        id=engine_action_id(action),
        date=action.effective_date,
        kind=ActionKind(action.kind),
        symbol=action.security.symbol,
        index=index,
        ex_date=action.ex_date,
        ratio=ratio,
        new_symbol=action.new_security.symbol if action.new_security is not None else None,
        cash_per_share=action.cash_per_share,
        price=action.price,
        basis_fraction=action.basis_fraction,
    )
