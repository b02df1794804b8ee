"""Writing a chunk's household proposals: each managed household's proposal for the night
(one per household and date), its accounts' unsaved proposals pointed at it, older open
household proposals of the household superseded."""

from __future__ import annotations

from django.db import transaction

from firms.models import Firm
from rebalancer.transitions import transition_all
from trading.models import HouseholdProposal, HouseholdProposalStatus, Run
from trading.services.household_runs import HouseholdSolved

OPEN = [
    HouseholdProposalStatus.PENDING_REVIEW,
    HouseholdProposalStatus.NO_TRADES,
    HouseholdProposalStatus.FAILED,
]


def households_write(*, firm: Firm, run: Run, households: list[HouseholdSolved]) -> None:
    """Save the household proposals (a second write of one household and date reuses the
    first, as does a write that another worker's beats) and point their accounts' proposals
    at them; the accounts' proposals are written after, by the run. A constant number of
    queries, however many households."""
    if not households:
        return
    with transaction.atomic():
        transition_all(
            HouseholdProposal.objects.for_firm(firm).filter(
                household_id__in=[h.proposal.household_id for h in households],
                as_of__lt=run.as_of,
            ),
            expected=OPEN,
            to=HouseholdProposalStatus.SUPERSEDED,
        )
        HouseholdProposal.objects.bulk_create(
            [_fresh(group.proposal, run=run) for group in households], ignore_conflicts=True
        )
        saved = {
            proposal.household_id: proposal
            for proposal in HouseholdProposal.objects.for_firm(firm).filter(
                household_id__in=[group.proposal.household_id for group in households],
                as_of=run.as_of,
            )
        }
        for group in households:
            for answer in group.accounts:
                answer.proposal.household_proposal = saved[group.proposal.household_id]


def _fresh(new: HouseholdProposal, *, run: Run) -> HouseholdProposal:
    return HouseholdProposal(
        firm=new.firm,
        household_id=new.household_id,
        as_of=new.as_of,
        run=run,
        status=new.status,
        optimizer_status=new.optimizer_status,
        message=new.message,
        flags=new.flags,
        summary=new.summary,
    )
