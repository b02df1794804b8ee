"""Reading household proposals. Every function requires the firm; given the member, the
advisor scope applies (``accounts.selectors.scope``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Household
from accounts.selectors.scope import ACCOUNT, advisor_scope
from firms.models import Firm, Membership
from trading.models import HouseholdProposal, HouseholdProposalStatus, Proposal


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


def household_proposal_latest(*, firm: Firm, household: Household) -> HouseholdProposal | None:
    """The household's latest proposal that is not superseded, if any."""
    return (
        HouseholdProposal.objects.for_firm(firm)
        .filter(household=household)
        .exclude(status=HouseholdProposalStatus.SUPERSEDED)
        .order_by("-as_of", "-id")
        .first()
    )


def household_proposal_current(*, firm: Firm, household: Household) -> HouseholdProposal:
    """The household's latest proposal that is not superseded (404 when none)."""
    found = household_proposal_latest(firm=firm, household=household)
    if found is None:
        raise Http404("this household has no current household proposal")
    return found


def household_proposal_accounts(*, household_proposal: HouseholdProposal) -> list[Proposal]:
    """Its accounts' proposals, each with its trades, by account number."""
    return list(
        household_proposal.proposals.select_related("account")
        .prefetch_related("trades__security")
        .order_by("account__account_number")
    )


def household_forcing(*, accounts: list[Proposal]) -> list[dict]:
    """The rules that forced the household's tracking error or drift up, with what each
    costs the household: every account's proposal names the household's
    (`optimizer/household_forced.py`), so the first one's are read."""
    if not accounts:
        return []
    return [rule for rule in accounts[0].binding_rules or [] if rule.get("forced_drift")]


def household_managed_context(*, firm: Firm, household: Household) -> dict[str, object]:
    """What the household page shows of its management: the latest household proposal with
    its accounts' proposals and trades, and its held-away accounts."""
    latest = household_proposal_latest(firm=firm, household=household)
    accounts = household_proposal_accounts(household_proposal=latest) if latest else []
    return {
        "household_proposal": latest,
        "household_proposal_accounts": accounts,
        "household_forcing": household_forcing(accounts=accounts),
        "held_away": list(
            household.held_away.filter(firm=firm).prefetch_related("positions").order_by("name")
        ),
    }
