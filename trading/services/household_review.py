"""An advisor's review of a household proposal: approve it as one, or account by account.

Each account's proposal is approved as on its own (``trading.services.review``, audited);
the household proposal becomes approved once none of its accounts' proposals waits for
review, partly approved before that, with its own audit record.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from firms.models import Firm
from firms.services.audit import audit_record
from rebalancer.actors import Actor
from rebalancer.errors import InvalidTransition, ValidationFailed
from rebalancer.transitions import transition
from trading.models import HouseholdProposal, HouseholdProposalStatus, ProposalStatus
from trading.services.review import proposal_approve

REVIEWABLE = [HouseholdProposalStatus.PENDING_REVIEW, HouseholdProposalStatus.PARTLY_APPROVED]


@transaction.atomic
def household_proposal_approve(
    *,
    firm: Firm,
    actor: Actor,
    household_proposal: HouseholdProposal,
    account_ids: list[int] | None = None,
) -> HouseholdProposal:
    """Approve the household proposal's accounts' proposals waiting for review: all of them,
    or those of ``account_ids`` (each must be one of its accounts)."""
    if household_proposal.status not in REVIEWABLE:
        raise InvalidTransition(
            f"a household proposal that is {household_proposal.status} cannot be approved"
        )
    pending = household_proposal.proposals.filter(firm=firm, status=ProposalStatus.PENDING_REVIEW)
    if account_ids is not None:
        known = set(household_proposal.proposals.values_list("account_id", flat=True))
        unknown = sorted(set(account_ids) - known)
        if unknown:
            raise ValidationFailed(
                [(None, "accounts", f"not accounts of this household proposal: {unknown}")]
            )
        pending = pending.filter(account_id__in=account_ids)
    approved = []
    for proposal in pending.order_by("account_id"):
        proposal_approve(firm=firm, actor=actor, proposal=proposal)
        approved.append(proposal.account_id)
    waiting = household_proposal.proposals.filter(status=ProposalStatus.PENDING_REVIEW).exists()
    to = HouseholdProposalStatus.PARTLY_APPROVED if waiting else HouseholdProposalStatus.APPROVED
    before = household_proposal.status
    if to != before:
        transition(
            HouseholdProposal.objects.filter(pk=household_proposal.pk, firm=firm),
            expected=before,
            to=to,
            reviewed_by=actor.user,
            reviewed_at=timezone.now(),
        )
    audit_record(
        firm=firm,
        actor=actor,
        action=f"household_proposal.{to}",
        obj=household_proposal,
        before={"status": before},
        after={"status": to, "accounts_approved": approved},
    )
    household_proposal.refresh_from_db()
    return household_proposal
