"""Reading a firm's equivalence sets (``models_library.models.equivalents``)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from firms.models import Firm
from models_library.models import EquivalenceMember, EquivalenceSet
from rebalancer.tenancy import get_for_firm_or_404


def _with_members(firm: Firm) -> QuerySet[EquivalenceSet]:
    members = EquivalenceMember.objects.for_firm(firm).select_related("security")
    return EquivalenceSet.objects.for_firm(firm).prefetch_related(
        Prefetch("members", queryset=members.order_by("security__symbol"))
    )


def equivalence_set_list(*, firm: Firm) -> QuerySet[EquivalenceSet]:
    """The firm's sets by name, each with its members (``set.members.all()``) by symbol."""
    return _with_members(firm).order_by("name")


def equivalence_set_get(*, firm: Firm, set_id: int) -> EquivalenceSet:
    return get_for_firm_or_404(_with_members(firm), firm=firm, pk=set_id)


def set_symbols(equivalence_set: EquivalenceSet) -> list[str]:
    """A set's symbols, sorted (from its prefetched members)."""
    return sorted(m.security.symbol for m in equivalence_set.members.all())


def firm_equivalents(*, firm: Firm) -> tuple[tuple[str, ...], ...]:
    """Every set of the firm as sorted symbols, sets ordered by their first symbol: what the
    optimizer's case and the pages' drift read. One query."""
    grouped: dict[int, list[str]] = {}
    rows = EquivalenceMember.objects.for_firm(firm).values_list(
        "equivalence_set_id", "security__symbol"
    )
    for set_id, symbol in rows:
        grouped.setdefault(set_id, []).append(symbol)
    return tuple(sorted(tuple(sorted(s)) for s in grouped.values() if len(s) > 1))
