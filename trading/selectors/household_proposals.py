"""Reading household proposals. Every function requires the firm; given the member, the
advisor scope applies (``accounts.selectors.scope``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Household
from accounts.selectors.scope import ACCOUNT, advisor_scope
from firms.models import Firm, Membership
from trading.models import HouseholdProposal, HouseholdProposalStatus


def household_proposal_list(
    *, firm: Firm, membership: Membership | None = None, status: str = ""
) -> QuerySet[HouseholdProposal]:
    qs: QuerySet[HouseholdProposal] = HouseholdProposal.objects.for_firm(firm).select_related(
        "household"
    )
    qs = advisor_scope(qs, membership=membership, household_path=ACCOUNT)
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=HouseholdProposalStatus.SUPERSEDED)
    return qs.order_by("-as_of", "-id")


def household_proposal_current(*, firm: Firm, household: Household) -> HouseholdProposal:
    """The household's latest proposal that is not superseded (404 when none)."""
    found = (
        HouseholdProposal.objects.for_firm(firm)
        .filter(household=household)
        .exclude(status=HouseholdProposalStatus.SUPERSEDED)
        .order_by("-as_of", "-id")
        .first()
    )
    if found is None:
        raise Http404("this household has no current household proposal")
    return found
