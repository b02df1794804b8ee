"""Which firms' nightly runs are due: each firm sets a local time in its own time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from firms.models import Firm
from rebalancer.rowsecurity import firm_scope
from trading.models import Run


def firm_local_date(*, firm: Firm, now: dt.datetime) -> dt.date:
    return now.astimezone(zoneinfo.ZoneInfo(firm.timezone)).date()


def firms_due(*, now: dt.datetime) -> list[tuple[Firm, dt.date]]:
    """(firm, local as-of date) for every firm whose run time has passed today, locally,
    and that has no run for that date yet."""
    due = []
    for firm in Firm.objects.order_by("pk"):
        local = now.astimezone(zoneinfo.ZoneInfo(firm.timezone))
        if local.time() < firm.nightly_run_time:
            continue
        with firm_scope(firm):
            has_run = Run.objects.filter(firm=firm, as_of=local.date()).exists()
        if not has_run:
            due.append((firm, local.date()))
    return due
