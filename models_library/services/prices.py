"""Bulk upserts of the shared security master and daily prices, all rows or none.

Every row is checked first and every error is named by row (1-based) and field; then all
rows are written in one transaction with one audit event. These tables are reference data
shared by every firm, so the audit event has no firm; it names the caller and their firm.

Because every firm's optimizations read them, only a firm the operator has made a steward of
reference data (``Firm.manages_reference_data``) may change a security that is already
stored, or put a price in the shared table. Any firm may add new securities, and may send
rows equal to what is stored (a no-op); a row that would change a stored value is refused,
by row and field, and nothing is written. A price another firm sends for a day the shared
table lacks serves that firm only, until a steward adopts it
(``models_library.services.price_review``). No price may be dated after today.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from firms.models import Firm
from firms.services.audit import audit_record
from models_library.models import FirmPrice, Price, Security, SecurityType
from models_library.services.price_review import PricesWritten, steward_prices_store
from rebalancer.actors import Actor
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
    *, firm: Firm, actor: Actor, rows: Sequence[Mapping[str, Any]]
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


def sender_label(actor: Actor) -> str:
    """``user:ID`` for an actor with a user (a person, or a key's service user: the API
    passes the key's own ``key:ID``), else the process's label (``command:...``)."""
    if actor.user is not None:
        return f"user:{actor.user.pk}"
    return actor.label


def sender_today(*, firm: Firm) -> dt.date:
    """Today where the sending firm is (its ``timezone``): no close may be dated later."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(firm.timezone)).date()


def _price_errors(rows: Sequence[Mapping[str, Any]], ids: dict[str, int], today: dt.date) -> list:
    keys = [(r["symbol"], r["date"]) for r in rows]
    errors = _duplicates(keys, field="date")
    for row, values in enumerate(rows, start=1):
        if values["symbol"] not in ids:
            errors.append((row, "symbol", f"'{values['symbol']}' is not in the security master"))
        if values["date"] > today:
            errors.append((row, "date", f"is after today ({today})"))
        if not Decimal(values["close"]) > 0:
            errors.append((row, "close", "must be greater than 0"))
        ratio = values.get("split_ratio")
        if ratio is not None and not Decimal(ratio) > 0:
            errors.append((row, "split_ratio", "must be greater than 0"))
    return sorted(errors, key=lambda e: e[0] or 0)


@transaction.atomic
def prices_upsert(
    *, firm: Firm, actor: Actor, rows: Sequence[Mapping[str, Any]], sender: str = ""
) -> PricesWritten:
    """Store closing prices (``symbol``, ``date`` not after the firm's today, ``close`` > 0,
    optional ``split_ratio``), all rows or none; ``sender`` names the key or person
    (default: the actor).

    A steward's rows go to the shared table, except a move of more than
    ``PRICE_REVIEW_THRESHOLD`` from the last accepted close that no ``split_ratio``
    explains: that is held for review. Another firm's rows serve that firm only
    (:class:`FirmPrice`); one that differs from a stored shared close is refused.
    """
    if not rows:
        raise ValidationFailed([(None, "rows", "no prices given")])
    symbols = {r["symbol"] for r in rows}
    ids = dict(Security.objects.filter(symbol__in=symbols).values_list("symbol", "id"))
    errors = _price_errors(rows, ids, sender_today(firm=firm))
    if errors:
        raise ValidationFailed(errors)
    sender = sender or sender_label(actor)
    if firm.manages_reference_data:
        result = steward_prices_store(firm=firm, sender=sender, rows=rows, ids=ids)
    else:
        result = _firm_prices_store(firm=firm, sender=sender, rows=rows, ids=ids)
    dates: list[dt.date] = [r["date"] for r in rows]
    audit_record(
        firm=None if firm.manages_reference_data else firm,
        actor=actor,
        action="prices.upsert",
        object_type="models_library.Price",
        object_id="bulk",
        object_repr=f"{len(rows)} prices",
        after={
            "rows": len(rows),
            "from": min(dates),
            "to": max(dates),
            "shared": result.shared,
            "firm_only": result.firm_only,
            "held": result.held,
        },
        note=f"via firm {firm.slug} ({sender})",
    )
    return result


def _firm_prices_store(
    *, firm: Firm, sender: str, rows: Sequence[Mapping[str, Any]], ids: dict[str, int]
) -> PricesWritten:
    """A non-steward's rows: equal to the shared close, a no-op; differing from it, refused;
    a day the shared table lacks, the firm's own price."""
    stored = dict(
        (((sid, day), close))
        for sid, day, close in Price.objects.filter(
            security_id__in=set(ids.values()), date__in={r["date"] for r in rows}
        ).values_list("security_id", "date", "close")
    )
    errors, own = [], []
    for row, values in enumerate(rows, start=1):
        close = stored.get((ids[values["symbol"]], values["date"]))
        if close is None:
            own.append(values)
        elif close != Decimal(values["close"]):
            errors.append((row, "close", _not_steward(f"{values['symbol']} on {values['date']}")))
    if errors:
        raise ValidationFailed(errors)
    FirmPrice.objects.bulk_create(
        [
            FirmPrice(
                firm=firm,
                security_id=ids[r["symbol"]],
                date=r["date"],
                close=r["close"],
                sent_by=sender,
            )
            for r in own
        ],
        update_conflicts=True,
        unique_fields=["firm", "security", "date"],
        update_fields=["close", "sent_by", "sent_at"],
        batch_size=1000,
    )
    return PricesWritten(shared=len(rows) - len(own), firm_only=len(own))
