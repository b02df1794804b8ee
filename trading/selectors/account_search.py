"""Households and accounts lists with the review filters: model, tax status, drift,
proposal status and flag, sorted and ready to paginate.

An account's drift, value and proposal status are those of its current proposal (its
latest one that is not superseded): the last time the optimizer looked at it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from accounts.models import Account, Household
from accounts.selectors.households import account_list, household_list
from firms.models import Firm, Membership
from trading.models import Proposal, ProposalStatus

ACCOUNT_SORTS = {
    "account": ("account_number",),
    "name": ("name", "account_number"),
    "household": ("household__name", "account_number"),
    "drift": ("-drift", "account_number"),
    "value": ("-value", "account_number"),
}
HOUSEHOLD_SORTS = {"name": ("name", "id"), "accounts": ("-account_count", "name", "id")}


class AccountSearchFields(TypedDict):
    """What `account_search` annotates each account with."""

    drift: Decimal | None
    value: Decimal | None
    proposal_status: str | None
    proposal_id: int | None
    flagged: bool


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    SearchedAccount = WithAnnotations[Account, AccountSearchFields]


def _current(outer: str = "pk") -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(account=OuterRef(outer))
        .exclude(status=ProposalStatus.SUPERSEDED)
        .order_by("-as_of", "-pk")
    )


def _flagged_open(account_path: str) -> Exists:
    return Exists(
        Proposal.objects.filter(
            **{account_path: OuterRef("pk")},
            status__in=[ProposalStatus.PENDING_REVIEW, ProposalStatus.FAILED],
        ).exclude(flags=[])
    )


def account_search(
    *,
    firm: Firm,
    membership: Membership | None = None,
    search: str = "",
    tax_status: str = "",
    model_id: int | None = None,
    min_drift: Decimal | None = None,
    proposal_status: str = "",
    flagged: str = "",
    sort: str = "account",
) -> QuerySet[SearchedAccount]:
    """Accounts the member may see, annotated with ``drift``, ``value``,
    ``proposal_status``, ``proposal_id`` and ``flagged``. ``min_drift`` is a fraction;
    ``flagged`` is "yes", "no" or ""."""
    qs = account_list(firm=firm, membership=membership, search=search, tax_status=tax_status)
    current = _current()
    qs = qs.annotate(
        drift=Subquery(current.values("drift_before")[:1]),
        value=Subquery(current.values("total_value_usd")[:1]),
        proposal_status=Subquery(current.values("status")[:1]),
        proposal_id=Subquery(current.values("pk")[:1]),
        flagged=_flagged_open("account"),
    )
    if model_id:
        qs = qs.filter(model_assignment__model_id=model_id)
    if min_drift is not None:
        qs = qs.filter(drift__gte=min_drift)
    if proposal_status == "none":
        qs = qs.filter(proposal_id__isnull=True)
    elif proposal_status:
        qs = qs.filter(proposal_status=proposal_status)
    if flagged == "yes":
        qs = qs.filter(flagged=True)
    elif flagged == "no":
        qs = qs.filter(flagged=False)
    return qs.order_by(*ACCOUNT_SORTS.get(sort, ACCOUNT_SORTS["account"]))


def household_search(
    *,
    firm: Firm,
    membership: Membership | None = None,
    search: str = "",
    flagged: str = "",
    sort: str = "name",
) -> QuerySet[Household]:
    """Households the member may see, annotated with ``account_count`` and ``flagged``
    (some account has a flagged proposal open)."""
    qs = household_list(firm=firm, membership=membership, search=search)
    qs = qs.annotate(flagged=_flagged_open("account__household"))
    if flagged == "yes":
        qs = qs.filter(flagged=True)
    elif flagged == "no":
        qs = qs.filter(flagged=False)
    return qs.order_by(*HOUSEHOLD_SORTS.get(sort, HOUSEHOLD_SORTS["name"]))
