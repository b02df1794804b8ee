"""Rerunning a night's failed accounts once their data is fixed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import Firm
from accounts.services.audit import audit_record
from rebalancer.errors import DomainError
from trading.models import Proposal, ProposalStatus, Run
from trading.services.review import proposal_reoptimize

MAX_RERUN = 500


@dataclass(frozen=True)
class RerunOutcome:
    rerun: int
    still_failed: int


def run_rerun_failed(*, firm: Firm, actor: Any, run: Run) -> RerunOutcome:
    """Optimize again every account whose proposal for the run's date failed; each new
    proposal supersedes the failed one (``proposal_reoptimize``), so a rerun of an account
    that fails again simply records the new reason."""
    if run.firm_id != firm.pk:
        raise DomainError("Not found.", field="run")
    failed = list(
        Proposal.objects.for_firm(firm)
        .filter(as_of=run.as_of, status=ProposalStatus.FAILED)
        .select_related("account")
        .order_by("account_id")[:MAX_RERUN]
    )
    still_failed = 0
    for proposal in failed:
        new = proposal_reoptimize(firm=firm, actor=actor, account=proposal.account, as_of=run.as_of)
        still_failed += new.status == ProposalStatus.FAILED
    audit_record(
        firm=firm,
        actor=actor,
        action="run.rerun_failed",
        obj=run,
        after={"accounts": len(failed), "still_failed": still_failed},
    )
    return RerunOutcome(rerun=len(failed), still_failed=still_failed)
