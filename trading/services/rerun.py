"""Rerunning a night's failed accounts once their data is fixed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import Firm
from accounts.services.audit import audit_record
from rebalancer.errors import DomainError
from trading.models import Proposal, ProposalStatus, Run
from trading.services.review import proposal_reoptimize

MAX_RERUN = 100


@dataclass(frozen=True)
class RerunOutcome:
    rerun: int
    still_failed: int
    remaining: int


def run_rerun_failed(*, firm: Firm, actor: Any, run: Run) -> RerunOutcome:
    """Optimize again the accounts whose proposal for the run's date failed (at most
    ``MAX_RERUN`` per call, so a page request stays short; ``remaining`` says how many are
    left for the next call). Each new proposal supersedes the failed one
    (``proposal_reoptimize``): an account that fails again records the new reason, and is
    tried again by the next call."""
    if run.firm_id != firm.pk:
        raise DomainError("Not found.", field="run")
    all_failed = Proposal.objects.for_firm(firm).filter(
        as_of=run.as_of, status=ProposalStatus.FAILED
    )
    total = all_failed.count()
    failed = list(all_failed.select_related("account").order_by("account_id")[:MAX_RERUN])
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
    return RerunOutcome(rerun=len(failed), still_failed=still_failed, remaining=total - len(failed))
