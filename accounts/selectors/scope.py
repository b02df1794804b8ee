"""The advisor scope: which of the firm's households a member may see.

The firm's setting ``advisors_see_all_households`` off (the default), an advisor sees only
the households they advise, and so only those households' clients and accounts, and the
proposals, trades, fills and blotter lines of those accounts. Every other role, an advisor
of a firm with the setting on, and an API key (no membership: the firm's machine
credential) see the whole firm.

This is the one place that rule lives. Every selector that lists or gets households,
accounts or anything hanging from an account takes the member and passes its queryset
through ``advisor_scope`` with the path from its model to the household; an out-of-scope
object is then "not found" (404) exactly like another firm's.
"""

from __future__ import annotations

from typing import TypeGuard, TypeVar

from django.db.models import Model, QuerySet

from firms.models import Membership, Role

HOUSEHOLD = ""
ACCOUNT = "household__"
PROPOSAL = "account__household__"
PROPOSED_TRADE = "proposal__account__household__"
FILL = "account__household__"

M = TypeVar("M", bound=Model)


def sees_only_own_households(membership: Membership | None) -> TypeGuard[Membership]:
    """Whether ``membership`` is an advisor limited to the households they advise."""
    return (
        membership is not None
        and membership.role == Role.ADVISOR
        and not membership.firm.advisors_see_all_households
    )


def advisor_scope(
    qs: QuerySet[M], *, membership: Membership | None, household_path: str
) -> QuerySet[M]:
    """``qs`` limited to what ``membership`` may see. ``household_path`` leads from the
    queryset's model to the household, ending in ``__`` (one of the constants above; ""
    for households themselves)."""
    if sees_only_own_households(membership):
        return qs.filter(**{f"{household_path}advisor_id": membership.user_id})
    return qs
