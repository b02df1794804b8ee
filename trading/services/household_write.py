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
    first) and point their accounts' proposals at them; the accounts' proposals are written
    after, by the run."""
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
        for group in households:
            new = group.proposal
            saved, _ = HouseholdProposal.objects.get_or_create(
                firm=firm,
                household_id=new.household_id,
                as_of=new.as_of,
                defaults={
                    "run": run,
                    "status": new.status,
                    "optimizer_status": new.optimizer_status,
                    "message": new.message,
                    "flags": new.flags,
                    "summary": new.summary,
                },
            )
            for answer in group.accounts:
                answer.proposal.household_proposal = saved
