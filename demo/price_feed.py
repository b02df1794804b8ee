"""The demo's price feed: simulated closes up to today, so the demo never goes stale.

The demo firm is seeded on a fixed date (its book is the same whatever the day), but a
nightly run refuses closes older than a few days. The feed stores, for every demo
security whose latest close came from the demo itself, the simulated close of each
trading day after it up to today in the demo firm's time zone. The closes come from the
same paths as the seed's (``demo.prices``), so a date's close is the same whichever day
the feed runs. A security whose latest close was sent by anyone else (a real feed, a
steward) is never touched, and without a demo firm the feed does nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from firms.models import Firm
from models_library.models import Price, Security
from models_library.services.risk_models import risk_model_build
from rebalancer.actors import Actor
from trading.services.schedule import firm_local_date

from .firm import DEFAULT_SLUG
from .market_calendar import trading_days
from .prices import ORIGIN, SENDER, simulated_closes
from .reference import load_etfs, load_stocks

FEED_SENDER = "demo:price_feed"
DEMO_SENDERS = frozenset({SENDER, FEED_SENDER})


@dataclass(frozen=True)
class FeedReport:
    """What one run of the feed did: the day it fed up to, the closes it stored, and the
    latest close date of the demo's securities afterwards (None without demo prices)."""

    today: dt.date | None
    created: int
    last_close: dt.date | None
    risk_model_built: bool = False


def _demo_last_closes() -> dict[int, dt.date]:
    """Latest close date of each demo security whose latest close the demo sent."""
    symbols = [row.symbol for row in load_stocks()] + [row.symbol for row in load_etfs()]
    ids = list(Security.objects.filter(symbol__in=symbols).values_list("pk", flat=True))
    last = dict(
        Price.objects.filter(security_id__in=ids)
        .values("security_id")
        .annotate(last=Max("date"))
        .values_list("security_id", "last")
    )
    if not last:
        return {}
    senders = Price.objects.filter(security_id__in=last, date__gte=min(last.values()))
    return {
        security_id: day
        for security_id, day, sent_by in senders.values_list("security_id", "date", "sent_by")
        if last[security_id] == day and sent_by in DEMO_SENDERS
    }


def demo_prices_extend(*, today: dt.date) -> FeedReport:
    """Store the simulated close of every trading day up to ``today`` that a demo security
    lacks after its latest demo close; build the risk model as of the new last close.
    Safe to run twice: a second run on the same day stores nothing."""
    last_closes = _demo_last_closes()
    if not last_closes:
        return FeedReport(today=today, created=0, last_close=None)
    start = min(last_closes.values()) + dt.timedelta(days=1)
    new_days = trading_days(start=start, end=today)
    if not new_days:
        return FeedReport(today=today, created=0, last_close=max(last_closes.values()))
    all_days = trading_days(start=ORIGIN, end=new_days[-1])
    index = {day: i for i, day in enumerate(all_days)}
    paths = simulated_closes(stocks=load_stocks(), etfs=load_etfs(), count=len(all_days))
    symbols = dict(Security.objects.filter(pk__in=last_closes).values_list("pk", "symbol"))
    rows = [
        Price(
            security_id=security_id,
            date=day,
            close=Decimal(f"{paths[symbols[security_id]][index[day]]:.6f}"),
            sent_by=FEED_SENDER,
        )
        for security_id, last in last_closes.items()
        for day in new_days
        if day > last
    ]
    with transaction.atomic():
        Price.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    built = risk_model_build(as_of=new_days[-1], actor=Actor.system(FEED_SENDER))
    return FeedReport(
        today=today, created=len(rows), last_close=new_days[-1], risk_model_built=built.created
    )


def demo_price_feed(*, now: dt.datetime | None = None) -> FeedReport:
    """Extend the demo's closes up to today in the demo firm's zone; nothing without one."""
    firm = Firm.objects.filter(slug=DEFAULT_SLUG).first()
    if firm is None:
        return FeedReport(today=None, created=0, last_close=None)
    today = firm_local_date(firm=firm, now=now or timezone.now())
    return demo_prices_extend(today=today)
