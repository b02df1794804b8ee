"""Price history adjusted for splits: the one read for anything that uses past closes.

A close dated before a split's effective date is divided by the split's ratio (new
shares for old), and by every later split's too, so a 3-for-2 split turns a $150 close
before it into $100: the series is continuous and comparable with closes after the
split (charts, drift, return and risk estimates). Closes are read as ``firm`` reads them:
the shared close, else the firm's own. Only ``split`` actions adjust prices; dividends
are not taken out (a price return, not a total return).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

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
    splits = CorporateAction.objects.filter(
        kind=CorporateActionKind.SPLIT,
        security__symbol__in=symbols,
        effective_date__gt=start,
        effective_date__lte=end,
    ).values_list("security__symbol", "effective_date", "ratio_new", "ratio_old")
    by_symbol: dict[str, list[tuple[dt.date, Decimal]]] = {}
    for symbol, day, new, old in splits:
        by_symbol.setdefault(symbol, []).append((day, Decimal(new or 1) / Decimal(old or 1)))
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
