"""Price history adjusted for splits: the one read for anything that uses past closes.

A close dated before a split's effective date is divided by the split's ratio (new
shares for old), and by every later split's too, so a 3-for-2 split turns a $150 close
before it into $100: the series is continuous and comparable with closes after the
split (charts, drift, return and risk estimates). Closes are read as ``firm`` reads them:
the shared close, else the firm's own. Only ``split`` actions adjust prices; dividends
are not taken out (a price return, not a total return).

Every reader of past closes goes through here: ``adjusted_closes`` for a firm's history,
``prices.latest_closes`` (positions, drift, the account page's charts, the nightly run's
inputs: a last close from before a split that took effect since reads adjusted), and the
risk model's estimation input (``splits_by_security`` on the shared closes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar

from firms.models import Firm
from models_library.models import CorporateAction, CorporateActionKind, FirmPrice, Price


def adjusted_closes(
    *, firm: Firm, symbols: Iterable[str], start: dt.date, end: dt.date
) -> dict[str, list[tuple[dt.date, Decimal]]]:
    """Each symbol's closes in [``start``, ``end``], oldest first, split-adjusted as of
    ``end`` (a split after ``end`` is not known to the series). Three queries."""
    if firm is None:
        raise ValueError("a firm is required to read prices")
    symbols = list(symbols)
    closes: dict[str, dict[dt.date, Decimal]] = {s: {} for s in symbols}
    own = FirmPrice.objects.for_firm(firm).filter(
        security__symbol__in=symbols, date__gte=start, date__lte=end
    )
    for symbol, day, close in own.values_list("security__symbol", "date", "close"):
        closes[symbol][day] = close
    shared = Price.objects.filter(security__symbol__in=symbols, date__gte=start, date__lte=end)
    for symbol, day, close in shared.values_list("security__symbol", "date", "close"):
        closes[symbol][day] = close
    by_symbol = splits_by_symbol(symbols=symbols, after=start, through=end)
    return {
        symbol: [
            (day, split_adjusted(close, day=day, splits=by_symbol.get(symbol, ())))
            for day, close in sorted(series.items())
        ]
        for symbol, series in closes.items()
    }


def split_adjusted(
    close: Decimal, *, day: dt.date, splits: Iterable[tuple[dt.date, Decimal]]
) -> Decimal:
    """``close`` on ``day`` divided by the ratio of every split effective after ``day``."""
    for effective, ratio in splits:
        if day < effective:
            close = close / ratio
    return close


Splits = dict[str, list[tuple[dt.date, Decimal]]]
K = TypeVar("K")


def splits_by_symbol(*, symbols: Iterable[str], after: dt.date, through: dt.date) -> Splits:
    """Each symbol's splits effective in (``after``, ``through``]: ``(effective date, new
    shares per old share)``, oldest first. One query."""
    rows = _splits(security__symbol__in=list(symbols), after=after, through=through)
    return _grouped((symbol, day, ratio) for (_, symbol), day, ratio in rows)


def splits_by_security(
    *, security_ids: Iterable[int], after: dt.date, through: dt.date
) -> dict[int, list[tuple[dt.date, Decimal]]]:
    """The same, keyed by security id (the risk model's shared closes). One query."""
    rows = _splits(security_id__in=list(security_ids), after=after, through=through)
    return _grouped((pk, day, ratio) for (pk, _), day, ratio in rows)


def _splits(
    *, after: dt.date, through: dt.date, **which: object
) -> list[tuple[tuple[int, str], dt.date, Decimal]]:
    rows = (
        CorporateAction.objects.filter(
            kind=CorporateActionKind.SPLIT,
            effective_date__gt=after,
            effective_date__lte=through,
            **which,
        )
        .order_by("effective_date", "id")
        .values_list("security_id", "security__symbol", "effective_date", "ratio_new", "ratio_old")
    )
    return [
        ((pk, symbol), day, Decimal(new or 1) / Decimal(old or 1))
        for pk, symbol, day, new, old in rows
    ]


def _grouped(rows: Iterable[tuple[K, dt.date, Decimal]]) -> dict[K, list[tuple[dt.date, Decimal]]]:
    grouped: dict[K, list[tuple[dt.date, Decimal]]] = {}
    for key, day, ratio in rows:
        grouped.setdefault(key, []).append((day, ratio))
    return grouped
