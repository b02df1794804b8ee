"""Keeping a firm's equivalence sets. Every change is audited with the set before and after."""

from __future__ import annotations

from django.db import transaction

from firms.models import Firm
from firms.services.audit import audit_record
from models_library.models import EquivalenceMember, EquivalenceSet, Security
from models_library.selectors.equivalents import set_symbols
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed

MIN_MEMBERS = 2


def _snapshot(*, name: str, note: str, symbols: list[str]) -> dict:
    return {"name": name, "note": note, "symbols": sorted(symbols)}


def _clean_symbols(
    *, firm: Firm, symbols: list[str], equivalence_set: EquivalenceSet | None
) -> dict[str, Security]:
    """Symbol -> security for the set's members; every problem found at once."""
    wanted = []
    for raw in symbols:
        symbol = str(raw).strip().upper()
        if symbol and symbol not in wanted:
            wanted.append(symbol)
    errors: list[tuple[int | None, str | None, str]] = []
    if len(wanted) < MIN_MEMBERS:
        errors.append((None, "symbols", f"list at least {MIN_MEMBERS} different securities"))
    found = {s.symbol: s for s in Security.objects.filter(symbol__in=wanted)}
    errors += [
        (None, "symbols", f"'{symbol}' is not in the security master")
        for symbol in wanted
        if symbol not in found
    ]
    taken = EquivalenceMember.objects.for_firm(firm).filter(security__symbol__in=wanted)
    if equivalence_set is not None:
        taken = taken.exclude(equivalence_set=equivalence_set)
    errors += [
        (None, "symbols", f"'{symbol}' is already in the set '{name}'")
        for symbol, name in taken.values_list("security__symbol", "equivalence_set__name")
    ]
    if errors:
        raise ValidationFailed(errors)
    return {symbol: found[symbol] for symbol in wanted}


def _clean_name(*, firm: Firm, name: str, equivalence_set: EquivalenceSet | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed([(None, "name", "is required")])
    same = EquivalenceSet.objects.for_firm(firm).filter(name=name)
    if equivalence_set is not None:
        same = same.exclude(pk=equivalence_set.pk)
    if same.exists():
        raise ValidationFailed([(None, "name", f"a set named '{name}' already exists")])
    return name


@transaction.atomic
def equivalence_set_save(
    *,
    firm: Firm,
    actor: Actor,
    name: str,
    symbols: list[str],
    note: str = "",
    equivalence_set: EquivalenceSet | None = None,
) -> EquivalenceSet:
    """Create a set (``equivalence_set`` None) or replace one's name, note and members.
    A security may be in one set of the firm at most; every symbol must be in the security
    master."""
    if equivalence_set is not None:
        equivalence_set = (
            EquivalenceSet.objects.for_firm(firm).select_for_update().get(pk=equivalence_set.pk)
        )
    name = _clean_name(firm=firm, name=name, equivalence_set=equivalence_set)
    securities = _clean_symbols(firm=firm, symbols=symbols, equivalence_set=equivalence_set)
    note = note.strip()
    if equivalence_set is None:
        before = None
        equivalence_set = EquivalenceSet.objects.create(
            firm=firm, name=name, note=note, created_by=actor.user
        )
    else:
        before = _snapshot(
            name=equivalence_set.name,
            note=equivalence_set.note,
            symbols=list(equivalence_set.members.values_list("security__symbol", flat=True)),
        )
        equivalence_set.name, equivalence_set.note = name, note
        equivalence_set.save(update_fields=["name", "note", "updated_at"])
        equivalence_set.members.all().delete()
    EquivalenceMember.objects.bulk_create(
        EquivalenceMember(firm=firm, equivalence_set=equivalence_set, security=security)
        for security in securities.values()
    )
    audit_record(
        firm=firm,
        actor=actor,
        action="equivalence_set.create" if before is None else "equivalence_set.update",
        obj=equivalence_set,
        before=before,
        after=_snapshot(name=name, note=note, symbols=list(securities)),
    )
    return equivalence_set


@transaction.atomic
def equivalence_set_delete(*, firm: Firm, actor: Actor, equivalence_set: EquivalenceSet) -> None:
    equivalence_set = (
        EquivalenceSet.objects.for_firm(firm).select_for_update().get(pk=equivalence_set.pk)
    )
    before = _snapshot(
        name=equivalence_set.name, note=equivalence_set.note, symbols=set_symbols(equivalence_set)
    )
    audit_record(
        firm=firm, actor=actor, action="equivalence_set.delete", obj=equivalence_set, before=before
    )
    EquivalenceSet.objects.for_firm(firm).filter(pk=equivalence_set.pk).delete()
