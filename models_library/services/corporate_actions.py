"""Entering corporate actions: shared reference data, all rows or none, stewards only.

Every row is checked first (a known symbol, then the lot engine's own rules for the
kind: a ratio above 0, a spin-off's basis fraction at most 1, ...), and every error is
named by row (1-based) and field; then all rows are written with one audit event (no
firm: the data is shared; the note names the steward firm). A row whose ``reference`` is
stored with the same values is a no-op, so sending a file twice changes nothing; with
other values it is refused. Applying the actions to firms' books is
``trading.services.corporate_actions``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from firms.models import Firm
from firms.services.audit import audit_record
from lot_engine import LotEngineInputError, parse_action
from models_library.models import CorporateAction, CorporateActionKind, Security
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed

STORED_FIELDS = (
    "kind",
    "security_id",
    "new_security_id",
    "effective_date",
    "ex_date",
    "cash_per_share",
    "price",
    "basis_fraction",
)
_FIELD_NAMES = {"date": "effective_date", "type": "kind"}

Errors = list[tuple[int | None, str | None, str]]


@transaction.atomic
def corporate_actions_enter(
    *, firm: Firm, actor: Actor, rows: Sequence[Mapping[str, Any]]
) -> list[CorporateAction]:
    """Store new corporate actions; return those created (not the repeated ones).

    Each row: ``reference``, ``kind``, ``symbol``, ``effective_date`` (a date), and as
    the kind needs ``new_symbol``, ``ex_date``, ``ratio`` (``"3:2"`` or a number),
    ``cash_per_share``, ``price``, ``basis_fraction``. Only a steward firm may enter them.
    """
    if not firm.manages_reference_data:
        raise ValidationFailed(
            [(None, "rows", "only a firm that manages reference data may enter corporate actions")]
        )
    if not rows:
        raise ValidationFailed([(None, "rows", "no corporate actions given")])
    symbols = {r.get("symbol") for r in rows} | {r.get("new_symbol") for r in rows}
    securities = {s.symbol: s for s in Security.objects.filter(symbol__in=symbols - {None})}
    stored = {
        a.reference: a
        for a in CorporateAction.objects.filter(reference__in=[r.get("reference") for r in rows])
    }
    errors: Errors = []
    first: dict[str, int] = {}
    new: list[CorporateAction] = []
    for row_no, row in enumerate(rows, start=1):
        reference = str(row.get("reference") or "")
        if reference in first:
            errors.append((row_no, "reference", f"repeats row {first[reference]}"))
            continue
        first[reference] = row_no
        action = _action(row_no=row_no, row=row, securities=securities, errors=errors)
        if action is None:
            continue
        existing = stored.get(reference)
        if existing is None:
            new.append(action)
        elif _values(existing) != _values(action):
            errors.append((row_no, "reference", f"{reference!r} is stored with other values"))
    if errors:
        raise ValidationFailed(errors)
    for action in new:
        action.sent_by_firm = firm
        action.sent_by = actor.label
    created = CorporateAction.objects.bulk_create(new)
    audit_record(
        firm=None,
        actor=actor,
        action="corporate_actions.enter",
        object_type="models_library.CorporateAction",
        object_id="bulk",
        object_repr=f"{len(created)} corporate actions",
        after={"created": [a.reference for a in created], "repeated": len(rows) - len(created)},
        note=f"via firm {firm.slug}",
    )
    return created


def _action(
    *, row_no: int, row: Mapping[str, Any], securities: dict[str, Security], errors: Errors
) -> CorporateAction | None:
    """The row as an unsaved action, or None with its errors appended."""
    found = len(errors)
    kind = row.get("kind")
    if kind not in CorporateActionKind.values:
        errors.append((row_no, "kind", f"is not a corporate action ({kind!r})"))
    for field in ("symbol", "new_symbol"):
        symbol = row.get(field)
        if symbol is not None and symbol not in securities:
            errors.append((row_no, field, f"{symbol!r} is not in the security master"))
    if len(errors) > found:
        return None
    try:
        parsed = parse_action(
            _engine_fields(row), index=row_no - 1, action_id=str(row.get("reference") or "")
        )
    except LotEngineInputError as exc:
        errors.append((row_no, _FIELD_NAMES.get(exc.field, exc.field), exc.message))
        return None
    new_symbol = parsed.new_symbol
    return CorporateAction(
        reference=str(row["reference"]),
        kind=parsed.kind.value,
        security=securities[parsed.symbol],
        new_security=securities[new_symbol] if new_symbol is not None else None,
        effective_date=parsed.date,
        ex_date=parsed.ex_date,
        ratio_new=parsed.ratio[0] if parsed.ratio else None,
        ratio_old=parsed.ratio[1] if parsed.ratio else None,
        cash_per_share=parsed.cash_per_share,
        price=parsed.price,
        basis_fraction=parsed.basis_fraction,
    )


def _engine_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row in the lot engine's words (its ``manage.py lots`` event)."""
    fields: dict[str, Any] = {
        "type": row.get("kind"),
        "symbol": row.get("symbol"),
        "date": _iso(row.get("effective_date")),
    }
    for name in ("new_symbol", "ratio", "cash_per_share", "price", "basis_fraction"):
        if row.get(name) is not None:
            value = row[name]
            fields[name] = str(value) if isinstance(value, Decimal | int) else value
    if row.get("ex_date") is not None:
        fields["ex_date"] = _iso(row["ex_date"])
    return fields


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _values(action: CorporateAction) -> tuple[Any, ...]:
    """The stored values, decimals compared by value (``1.5`` equals ``1.500000``, a ratio
    of ``3:2`` equals ``1.5``)."""
    ratio = None
    if action.ratio_new is not None:
        ratio = (Decimal(action.ratio_new) / Decimal(action.ratio_old or 1)).normalize()
    values = (getattr(action, name) for name in STORED_FIELDS)
    return (ratio, *(v.normalize() if isinstance(v, Decimal) else v for v in values))
