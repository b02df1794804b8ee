"""US exchange trading days: weekdays less the NYSE's regular full-day holidays."""

from __future__ import annotations

import datetime as dt


def _nth_weekday(*, year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def _last_weekday(*, year: int, month: int, weekday: int) -> dt.date:
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last = next_month - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    j = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * j) // 451
    month, day = divmod(h + j - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


def nyse_holidays(*, year: int) -> set[dt.date]:
    """The NYSE's regular full-day closures in ``year`` (not one-off closures)."""
    monday, thursday = 0, 3
    holidays = {
        _nth_weekday(year=year, month=1, weekday=monday, n=3),
        _nth_weekday(year=year, month=2, weekday=monday, n=3),
        _easter(year) - dt.timedelta(days=2),
        _last_weekday(year=year, month=5, weekday=monday),
        _observed(dt.date(year, 7, 4)),
        _nth_weekday(year=year, month=9, weekday=monday, n=1),
        _nth_weekday(year=year, month=11, weekday=thursday, n=4),
        _observed(dt.date(year, 12, 25)),
    }
    if dt.date(year, 1, 1).weekday() != 5:
        holidays.add(_observed(dt.date(year, 1, 1)))
    if year >= 2022:
        holidays.add(_observed(dt.date(year, 6, 19)))
    return holidays


def trading_days(*, start: dt.date, end: dt.date) -> list[dt.date]:
    """Every trading day from ``start`` to ``end``, both included, ascending."""
    holidays: set[dt.date] = set()
    for year in range(start.year, end.year + 1):
        holidays |= nyse_holidays(year=year)
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days
