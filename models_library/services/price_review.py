"""A steward's prices: big moves held for review, releases, rejections, and adopting a
firm's own price into the shared table. Each decision is audited (the shared table's
audit events have no firm; the note names the steward).

A steward's close that moves more than ``settings.PRICE_REVIEW_THRESHOLD`` (a fraction:
0.25 is 25 %) from the last accepted close before its date is held, read by no one, unless
the row's ``split_ratio`` explains it: a 10-for-1 split (``split_ratio`` 10) explains a
close near a tenth of the last one (within the same threshold).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from firms.models import Firm
from firms.services.audit import audit_record
from models_library.models import FirmPrice, HeldPrice, HeldStatus, Price
from rebalancer.actors import Actor
from rebalancer.errors import InvalidTransition, ValidationFailed
from rebalancer.rowsecurity import set_firm
from rebalancer.transitions import transition


@dataclass(frozen=True)
class PricesWritten:
    """Where an import's rows went: ``shared`` (read by every firm), ``firm_only`` (read by
    the sending firm until a steward adopts them), ``held`` (read by no one until a steward
    releases them). ``written`` is their sum."""

    shared: int = 0
    firm_only: int = 0
    held: int = 0

    @property
    def written(self) -> int:
        return self.shared + self.firm_only + self.held


def review_threshold() -> Decimal:
    return Decimal(str(settings.PRICE_REVIEW_THRESHOLD))


def needs_review(*, close: Decimal, previous: Decimal | None, split_ratio: Any = None) -> bool:
    """Whether ``close`` moves more than the threshold from ``previous`` with no split to
    explain it. No previous close: nothing to compare, no review."""
    if previous is None:
        return False
    threshold = review_threshold()
    if abs(Decimal(close) / previous - 1) <= threshold:
        return False
    if split_ratio is None:
        return True
    return abs(Decimal(close) * Decimal(split_ratio) / previous - 1) > threshold


def _stored_timelines(
    *, security_ids: set[int], start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, Decimal]]:
    """Accepted closes per security from the last one before ``start`` through ``end``."""
    before = (
        Price.objects.filter(security_id__in=security_ids, date__lt=start)
        .values("security_id")
        .annotate(last=Max("date"))
    )
    first = min((row["last"] for row in before), default=start)
    timelines: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for sid, day, close in Price.objects.filter(
        security_id__in=security_ids, date__gte=first, date__lte=end
    ).values_list("security_id", "date", "close"):
        timelines[sid][day] = close
    return timelines


def steward_prices_store(
    *, firm: Firm, sender: str, rows: Sequence[Mapping[str, Any]], ids: dict[str, int]
) -> PricesWritten:
    """Write a steward's checked rows: accepted ones to the shared table, big unexplained
    moves held (replacing an open held price of the same day). In date order, so a row
    is compared with the batch's own accepted rows before it."""
    dates = [r["date"] for r in rows]
    timelines = _stored_timelines(security_ids=set(ids.values()), start=min(dates), end=max(dates))
    ordered = {sid: sorted(timeline) for sid, timeline in timelines.items()}
    accepted: list[Price] = []
    held = 0
    for values in sorted(rows, key=lambda r: r["date"]):
        sid, day, close = ids[values["symbol"]], values["date"], Decimal(values["close"])
        timeline, days = timelines[sid], ordered.setdefault(sid, [])
        at = bisect.bisect_left(days, day)
        previous = timeline[days[at - 1]] if at else None
        if previous is not None and needs_review(
            close=close, previous=previous, split_ratio=values.get("split_ratio")
        ):
            HeldPrice.objects.filter(security_id=sid, date=day, status=HeldStatus.HELD).delete()
            HeldPrice.objects.create(
                security_id=sid,
                date=day,
                close=close,
                previous_close=previous,
                split_ratio=values.get("split_ratio"),
                sent_by_firm=firm,
                sent_by=sender,
            )
            held += 1
            continue
        if day not in timeline:
            days.insert(at, day)
        timeline[day] = close
        accepted.append(
            Price(security_id=sid, date=day, close=close, sent_by_firm=firm, sent_by=sender)
        )
    _shared_upsert(accepted)
    return PricesWritten(shared=len(accepted), held=held)


def _shared_upsert(prices: list[Price]) -> None:
    Price.objects.bulk_create(
        prices,
        update_conflicts=True,
        unique_fields=["security", "date"],
        update_fields=["close", "sent_by_firm", "sent_by", "accepted_by"],
        batch_size=1000,
    )


def _require_steward(firm: Firm) -> None:
    if not firm.manages_reference_data:
        raise InvalidTransition("only a firm that manages reference data may decide on prices")


def _decide(*, firm: Firm, sender: str, held_id: int, to: HeldStatus) -> HeldPrice:
    """Move an open held price to ``to`` with a conditional update that must hit one row."""
    _require_steward(firm)
    try:
        transition(
            HeldPrice.objects.filter(pk=held_id),
            expected=HeldStatus.HELD,
            to=to,
            decided_by=f"{firm.slug} {sender}",
        )
    except InvalidTransition as exc:
        raise HeldPrice.DoesNotExist(f"no held price {held_id} awaits a decision") from exc
    return HeldPrice.objects.select_related("security").get(pk=held_id)


def _audit(*, firm: Firm, actor: Actor, action: str, price: Any, after: dict) -> None:
    audit_record(
        firm=None,
        actor=actor,
        action=action,
        object_type=price._meta.label,
        object_id=str(price.pk),
        object_repr=f"{price.security.symbol} {price.date} {price.close}",
        after={"symbol": price.security.symbol, "date": price.date, "close": price.close, **after},
        note=f"by steward firm {firm.slug}",
    )


@transaction.atomic
def held_price_release(*, firm: Firm, actor: Actor, sender: str, held_id: int) -> HeldPrice:
    """A steward accepts a held price: it becomes the shared close of its day."""
    held = _decide(firm=firm, sender=sender, held_id=held_id, to=HeldStatus.RELEASED)
    _shared_upsert(
        [
            Price(
                security_id=held.security_id,
                date=held.date,
                close=held.close,
                sent_by_firm_id=held.sent_by_firm_id,
                sent_by=held.sent_by,
                accepted_by=held.decided_by,
            )
        ]
    )
    _audit(
        firm=firm,
        actor=actor,
        action="prices.release",
        price=held,
        after={"previous_close": held.previous_close, "split_ratio": held.split_ratio},
    )
    return held


@transaction.atomic
def held_price_reject(*, firm: Firm, actor: Actor, sender: str, held_id: int) -> HeldPrice:
    """A steward refuses a held price: no one will read it."""
    held = _decide(firm=firm, sender=sender, held_id=held_id, to=HeldStatus.REJECTED)
    _audit(firm=firm, actor=actor, action="prices.reject", price=held, after={})
    return held


def _firm_price(*, steward: Firm, source_slug: str, symbol: str, day: dt.date) -> FirmPrice:
    """The source firm's own price, read in that firm's row-level scope, then back."""
    source = Firm.objects.filter(slug=source_slug).first()
    found = None
    if source is not None:
        set_firm(source.pk)
        try:
            found = (
                FirmPrice.objects.for_firm(source)
                .select_related("security", "firm")
                .filter(security__symbol=symbol, date=day)
                .first()
            )
        finally:
            set_firm(steward.pk)
    if found is None:
        raise ValidationFailed(
            [(None, "date", f"firm '{source_slug}' sent no price for {symbol} on {day}")]
        )
    return found


@transaction.atomic
def firm_price_adopt(
    *, firm: Firm, actor: Actor, sender: str, source_slug: str, symbol: str, day: dt.date
) -> Price:
    """A steward copies a firm's own price into the shared table: every firm reads it.

    It replaces the shared close of that day, if any; the shared row keeps who sent it
    (``sent_by_firm``, ``sent_by``) and names the steward (``accepted_by``).
    """
    _require_steward(firm)
    own = _firm_price(steward=firm, source_slug=source_slug, symbol=symbol, day=day)
    price = Price(
        security_id=own.security_id,
        date=own.date,
        close=own.close,
        sent_by_firm_id=own.firm_id,
        sent_by=own.sent_by,
        accepted_by=f"{firm.slug} {sender}",
    )
    _shared_upsert([price])
    price = Price.objects.select_related("security").get(security_id=own.security_id, date=day)
    _audit(
        firm=firm,
        actor=actor,
        action="prices.adopt",
        price=price,
        after={"sent_by_firm": own.firm.slug, "sent_by": own.sent_by},
    )
    return price
