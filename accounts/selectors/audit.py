"""Reading the audit log: the firm's log with filters, one account's or household's history."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from accounts.models import Account, Household
from firms.models import AuditEvent, Firm

# an action family recorded under an older name, and the family it belongs to now
FAMILY_ALIASES = {"cashwithdrawal": "withdrawal"}


def audit_list(
    *,
    firm: Firm,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    account_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The firm's events, newest first. ``action`` matches a prefix (``proposal`` finds
    every proposal event); ``actor`` matches the username."""
    qs = AuditEvent.objects.for_firm(firm)
    if action:
        family = action.strip().lower()
        query = Q(action__istartswith=family)
        for old, new in FAMILY_ALIASES.items():
            if new == family:
                query |= Q(action__startswith=f"{old}.")
        qs = qs.filter(query)
    if actor:
        qs = qs.filter(actor_label__iexact=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if account_id is not None:
        qs = qs.filter(account_id_ref=account_id)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")


def audit_actions(*, firm: Firm) -> list[str]:
    """The action families used in the firm's log (``proposal``, ``preferences``...)."""
    actions = AuditEvent.objects.for_firm(firm).values_list("action", flat=True).distinct()
    families = {a.split(".")[0] for a in actions}
    return sorted({FAMILY_ALIASES.get(f, f) for f in families})


def account_history(*, firm: Firm, account: Account) -> QuerySet[AuditEvent]:
    """Everything that happened to one account: preferences, proposals, reviews, fills."""
    return (
        AuditEvent.objects.for_firm(firm).filter(account_id_ref=account.pk).order_by("-at", "-id")
    )


def household_preference_history(*, firm: Firm, household: Household) -> QuerySet[AuditEvent]:
    """Changes to the household's own preferences and rules (not its accounts')."""
    return (
        AuditEvent.objects.for_firm(firm)
        .filter(
            Q(object_type=Household._meta.label, object_id=str(household.pk))
            | Q(account_id_ref__isnull=True, after__household=household.pk)
            | Q(account_id_ref__isnull=True, before__household=household.pk)
        )
        .order_by("-at", "-id")
    )


PREFERENCE_ACTIONS = ("preferences.", "restriction.", "screen.", "substitution.", "withdrawal.")


def account_preference_history(*, firm: Firm, account: Account) -> QuerySet[AuditEvent]:
    query = Q()
    for prefix in PREFERENCE_ACTIONS:
        query |= Q(action__startswith=prefix)
    return account_history(firm=firm, account=account).filter(query)
