"""Looking up the security master: search for the draft editor's autocomplete, and the
distinct values a screen may exclude (so a screen names a value that exists)."""

from __future__ import annotations

from django.db.models import Q

from models_library.models import Security

SEARCH_LIMIT = 20
# The screen fields whose values come from the security master, and its column for each.
SCREEN_COLUMNS = {"sector": "sector", "asset_class": "asset_class"}


def security_search(*, query: str, limit: int = SEARCH_LIMIT) -> list[Security]:
    """Securities whose symbol starts with ``query`` (first) or whose name contains it."""
    query = query.strip()
    if not query:
        return []
    by_symbol = list(Security.objects.filter(symbol__istartswith=query).order_by("symbol")[:limit])
    seen = {s.pk for s in by_symbol}
    by_name = (
        Security.objects.filter(Q(name__icontains=query))
        .exclude(pk__in=seen)
        .order_by("symbol")[: max(0, limit - len(by_symbol))]
    )
    return by_symbol + list(by_name)


def screen_values(*, field: str) -> list[str]:
    """The distinct non-blank values of a screen field in the security master, sorted."""
    column = SCREEN_COLUMNS.get(field)
    if column is None:
        return []
    values = Security.objects.exclude(**{column: ""}).values_list(column, flat=True).distinct()
    return sorted(set(values))
