"""Bulk upserts of the shared security master and daily prices, all rows or none.

Every row is checked first and every error is named by row (1-based) and field; then all
rows are written in one transaction with one audit event. These tables are reference data
shared by every firm, so the audit event has no firm; it names the caller and their firm.

Because every firm's optimizations read them, only a firm the operator has made a steward of
reference data (``Firm.manages_reference_data``) may change a security or a price that is
already stored. Any firm may add new securities and prices, and may send rows equal to
what is stored (a no-op); a row that would change a stored value is refused, by row and
field, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import Firm
from accounts.services.audit import audit_record
from models_library.models import Price, Security, SecurityType
from rebalancer.errors import ValidationFailed

SECURITY_FIELDS = (
    "name",
    "security_type",
    "asset_class",
    "sector",
    "sub_industry",
    "identical_group",
    "tradable",
)


def _duplicates(keys: list, *, field: str) -> list[tuple[int, str, str]]:
    first: dict = {}
    errors = []
    for row, key in enumerate(keys, start=1):
        if key in first:
            errors.append((row, field, f"repeats row {first[key]}"))
        else:
            first[key] = row
    return errors


def _not_steward(what: str) -> str:
    return (
        f"{what} is already in the shared security master with another value; only a firm "
        "that manages reference data may change it (ask the installation's operator)"
    )


@transaction.atomic
def securities_upsert(
    *, firm: Firm, actor: Any, rows: Sequence[Mapping[str, Any]]
) -> tuple[int, int]:
    """Create or update securities by symbol; returns (created, updated).

    Rows are already typed (``symbol``, ``name``, ``asset_class`` required; the rest
    optional, keeping the stored value when absent for an existing security). ``updated``
    counts securities whose stored values changed; changing one needs a steward firm.
    """
    if not rows:
        raise ValidationFailed([(None, "rows", "no securities given")])
    errors = _duplicates([r["symbol"] for r in rows], field="symbol")
    for row, values in enumerate(rows, start=1):
        if values.get("security_type", SecurityType.STOCK) not in SecurityType.values:
            errors.append((row, "security_type", "is not a security type"))
    if errors:
        raise ValidationFailed(errors)
    existing = {
        s.symbol: s for s in Security.objects.filter(symbol__in=[r["symbol"] for r in rows])
    }
    new, changed = [], []
    for row, values in enumerate(rows, start=1):
        security = existing.get(values["symbol"])
        if security is None:
            new.append(Security(**values))
            continue
        differing = [
            name
            for name in SECURITY_FIELDS
            if name in values and getattr(security, name) != values[name]
        ]
        if differing and not firm.manages_reference_data:
            errors.extend((row, name, _not_steward(values["symbol"])) for name in differing)
            continue
        for name in differing:
            setattr(security, name, values[name])
        if differing:
            changed.append(security)
    if errors:
        raise ValidationFailed(errors)
    Security.objects.bulk_create(new, batch_size=1000)
    Security.objects.bulk_update(changed, SECURITY_FIELDS, batch_size=1000)
    audit_record(
        firm=None,
        actor=actor,
        action="securities.upsert",
        object_type="models_library.Security",
        object_id="bulk",
        object_repr=f"{len(rows)} securities",
        after={"created": [s.symbol for s in new], "updated": [s.symbol for s in changed]},
        note=f"via firm {firm.slug}",
    )
    return len(new), len(changed)


@transaction.atomic
def prices_upsert(*, firm: Firm, actor: Any, rows: Sequence[Mapping[str, Any]]) -> int:
    """Set closing prices (``symbol``, ``date``, ``close`` > 0); returns the rows written."""
    if not rows:
        raise ValidationFailed([(None, "rows", "no prices given")])
    keys = [(r["symbol"], r["date"]) for r in rows]
    errors = _duplicates(keys, field="date")
    ids = dict(Security.objects.filter(symbol__in={k[0] for k in keys}).values_list("symbol", "id"))
    for row, values in enumerate(rows, start=1):
        if values["symbol"] not in ids:
            errors.append((row, "symbol", f"'{values['symbol']}' is not in the security master"))
        if not Decimal(values["close"]) > 0:
            errors.append((row, "close", "must be greater than 0"))
    if errors:
        raise ValidationFailed(errors)
    if not firm.manages_reference_data:
        stored = {
            (symbol, day): close
            for symbol, day, close in Price.objects.filter(
                security_id__in=set(ids.values()), date__in={k[1] for k in keys}
            ).values_list("security__symbol", "date", "close")
        }
        for row, values in enumerate(rows, start=1):
            close = stored.get((values["symbol"], values["date"]))
            if close is not None and close != Decimal(values["close"]):
                errors.append(
                    (row, "close", _not_steward(f"{values['symbol']} on {values['date']}"))
                )
        if errors:
            raise ValidationFailed(errors)
    Price.objects.bulk_create(
        [Price(security_id=ids[r["symbol"]], date=r["date"], close=r["close"]) for r in rows],
        update_conflicts=True,
        unique_fields=["security", "date"],
        update_fields=["close"],
        batch_size=1000,
    )
    dates: list[dt.date] = [r["date"] for r in rows]
    audit_record(
        firm=None,
        actor=actor,
        action="prices.upsert",
        object_type="models_library.Price",
        object_id="bulk",
        object_repr=f"{len(rows)} prices",
        after={"rows": len(rows), "from": min(dates), "to": max(dates)},
        note=f"via firm {firm.slug}",
    )
    return len(rows)
