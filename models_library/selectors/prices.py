"""Reading prices as one firm sees them: the shared accepted closes, else the firm's own.

Every reader of prices (positions, the account page, the nightly run's inputs, what-if,
the book's date, the API's list) goes through this module with its firm. A (security,
date) with a shared :class:`Price` reads that; one without reads the firm's own
:class:`FirmPrice`, if it sent one. Held prices are read by no one. So nothing one firm
sends changes what another firm reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef, QuerySet

from firms.models import Firm
from models_library.models import FirmPrice, HeldPrice, HeldStatus, Price
from models_library.selectors.adjusted_prices import split_adjusted, splits_by_symbol

RECENT_DAYS = 7


def _last_closes(
    queryset: QuerySet, *, symbols: list[str], as_of: dt.date
) -> dict[str, tuple[dt.date, Decimal]]:
    """Each symbol's last close on or before ``as_of`` in ``queryset``. A symbol with a close
    in the last ``RECENT_DAYS`` days has its last close among them, so those days are read
    first (two queries) and the whole history only for the symbols they lack (two more)."""
    since = as_of - dt.timedelta(days=RECENT_DAYS)
    recent = _closes_between(queryset, symbols=symbols, since=since, as_of=as_of)
    older = [symbol for symbol in symbols if symbol not in recent]
    if older:
        recent.update(_closes_between(queryset, symbols=older, since=None, as_of=as_of))
    return recent


def _closes_between(
    queryset: QuerySet, *, symbols: list[str], since: dt.date | None, as_of: dt.date
) -> dict[str, tuple[dt.date, Decimal]]:
    """Each symbol's last close in [``since``, ``as_of``] (no lower end when None)."""
    dated = queryset.filter(security__symbol__in=symbols, date__lte=as_of)
    if since is not None:
        dated = dated.filter(date__gte=since)
    last_dates = dated.values("security_id").annotate(last=Max("date"))
    wanted = {(row["security_id"], row["last"]) for row in last_dates}
    if not wanted:
        return {}
    rows = queryset.filter(
        security_id__in={s for s, _ in wanted}, date__in={d for _, d in wanted}
    ).values_list("security__symbol", "security_id", "date", "close")
    return {sym: (day, close) for sym, sid, day, close in rows if (sid, day) in wanted}


def latest_closes(
    *, firm: Firm, symbols: Iterable[str], as_of: dt.date
) -> dict[str, tuple[dt.date, Decimal]]:
    """Each symbol's last close on or before ``as_of`` as ``firm`` reads it:
    {symbol: (date, close)}. The shared close wins on a date that has both. A close dated
    before a split effective by ``as_of`` reads adjusted (a $150 close before a 3-for-2
    split reads $100), so it values the shares held after the split. Five queries."""
    if firm is None:
        raise ValueError("a firm is required to read prices")
    symbols = list(symbols)
    shared = _last_closes(Price.objects.all(), symbols=symbols, as_of=as_of)
    own = _last_closes(FirmPrice.objects.for_firm(firm), symbols=symbols, as_of=as_of)
    closes = dict(shared)
    for symbol, (day, close) in own.items():
        if symbol not in shared or day > shared[symbol][0]:
            closes[symbol] = (day, close)
    if not closes:
        return closes
    earliest = min(day for day, _ in closes.values())
    splits = splits_by_symbol(symbols=closes, after=earliest, through=as_of)
    return {
        symbol: (day, split_adjusted(close, day=day, splits=splits.get(symbol, ())))
        for symbol, (day, close) in closes.items()
    }


def last_price_date(*, firm: Firm) -> dt.date | None:
    """The latest date with a close ``firm`` reads (shared, or its own)."""
    shared = Price.objects.aggregate(last=Max("date"))["last"]
    own = FirmPrice.objects.for_firm(firm).aggregate(last=Max("date"))["last"]
    return max((d for d in (shared, own) if d is not None), default=None)


def firm_prices_unadopted(*, firm: Firm) -> QuerySet[FirmPrice]:
    """``firm``'s own closes for days the shared table does not have: the ones it reads."""
    shared = Price.objects.filter(security_id=OuterRef("security_id"), date=OuterRef("date"))
    return FirmPrice.objects.for_firm(firm).filter(~Exists(shared)).select_related("security")


def held_prices(*, firm: Firm) -> QuerySet[HeldPrice]:
    """Prices held for a steward's review (every steward sees them all; no one else any)."""
    if not firm.manages_reference_data:
        return HeldPrice.objects.none()
    return HeldPrice.objects.filter(status=HeldStatus.HELD).select_related("security")
