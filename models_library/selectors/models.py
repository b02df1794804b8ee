"""Reading models, versions and prices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Max, QuerySet

from accounts.models import Firm
from models_library.models import ModelPortfolio, ModelVersion, Price
from rebalancer.tenancy import get_for_firm_or_404


def model_list(*, firm: Firm) -> QuerySet[ModelPortfolio]:
    return (
        ModelPortfolio.objects.for_firm(firm)
        .annotate(account_count=Count("assignments", distinct=True))
        .order_by("name")
    )


def model_get(*, firm: Firm, model_id: int) -> ModelPortfolio:
    return get_for_firm_or_404(ModelPortfolio.objects.all(), firm=firm, pk=model_id)


def version_get(*, firm: Firm, version_id: int) -> ModelVersion:
    return get_for_firm_or_404(
        ModelVersion.objects.select_related("model"), firm=firm, pk=version_id
    )


def latest_prices(*, symbols: Iterable[str], as_of: dt.date) -> dict[str, tuple[dt.date, Decimal]]:
    """Each symbol's last close on or before ``as_of``: {symbol: (date, close)}. Two queries."""
    symbols = list(symbols)
    last_dates = (
        Price.objects.filter(security__symbol__in=symbols, date__lte=as_of)
        .values("security_id")
        .annotate(last=Max("date"))
    )
    wanted = {(row["security_id"], row["last"]) for row in last_dates}
    if not wanted:
        return {}
    rows = Price.objects.filter(
        security_id__in={s for s, _ in wanted}, date__in={d for _, d in wanted}
    ).values_list("security__symbol", "security_id", "date", "close")
    return {sym: (day, close) for sym, sid, day, close in rows if (sid, day) in wanted}
