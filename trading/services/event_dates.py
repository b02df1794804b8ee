"""The date of a money event: a transaction, a fill, a cash balance.

One rule for every way such a date comes in (the API's bulk endpoints, a fills CSV, the
services themselves): the date is written ``YYYY-MM-DD`` (text; a number such as
``20261120`` or another ISO form such as ``2026-W47-5`` is refused, not guessed at), or is
already a :class:`datetime.date`; and it is not after *today in the firm's time zone*,
because what has not happened yet cannot have moved money or opened a lot.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from django.utils import timezone

from firms.models import Firm
from rebalancer.errors import DomainError

_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def firm_today(*, firm: Firm) -> dt.date:
    """Today's date where the firm is (its ``timezone``), not the server's."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(firm.timezone)).date()


def event_date_parse(value: Any) -> dt.date:
    """``value`` as a date; :class:`ValueError` with a plain-words message otherwise."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = value.strip() if isinstance(value, str) else None
    if text is None or not _DATE_TEXT.fullmatch(text):
        raise ValueError(f"must be a date string YYYY-MM-DD, not {value!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a date on the calendar") from None


def money_event_date(
    value: Any, *, firm: Firm, row: int | None, field: str, today: dt.date | None = None
) -> dt.date:
    """The event's date, checked; :class:`DomainError` naming ``row`` and ``field`` if not.

    ``today`` is the firm's today (:func:`firm_today`); a caller checking many rows
    passes it once.
    """
    try:
        date = event_date_parse(value)
    except ValueError as exc:
        raise DomainError(str(exc), field=field, row=row) from None
    today = today or firm_today(firm=firm)
    if date > today:
        raise DomainError(
            f"{date} is after today ({today} in {firm.timezone}): a future date cannot be recorded",
            field=field,
            row=row,
        )
    return date
