"""Rerunning a night's failed accounts once their data is fixed.

``run_rerun_failed`` takes one batch (a bounded amount of work); ``run_rerun_all_failed``,
which the ``trading.rerun_failed_accounts`` task calls, goes through every failed account
once, a batch per transaction in the firm's scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from firms.models import Firm
from firms.services.audit import audit_record
from rebalancer.actors import Actor
from rebalancer.errors import DomainError
from rebalancer.rowsecurity import firm_scope
from trading.models import Proposal, ProposalStatus, Run
from trading.services.review import proposal_reoptimize

MAX_RERUN = 100


@dataclass(frozen=True)
class RerunOutcome:
    rerun: int
    still_failed: int
    remaining: int
    last_account_id: int = 0


def run_rerun_failed(
    *, firm: Firm, actor: Actor, run: Run, after_account_id: int = 0
) -> RerunOutcome:
    """Optimize again the accounts whose proposal for the run's date failed (at most
    ``MAX_RERUN`` per call, a bounded transaction; ``remaining`` says how many are left
    for the next call). Each new proposal supersedes the failed one
    (``proposal_reoptimize``): an account that fails again records the new reason, and is
    tried again by the next call. ``after_account_id`` skips the accounts up to that id, so
    a caller going through them all tries each once."""
    if run.firm_id != firm.pk:
        raise DomainError("Not found.", field="run")
    all_failed = Proposal.objects.for_firm(firm).filter(
        as_of=run.as_of, status=ProposalStatus.FAILED, account_id__gt=after_account_id
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
    return RerunOutcome(
        rerun=len(failed),
        still_failed=still_failed,
        remaining=total - len(failed),
        last_account_id=failed[-1].account_id if failed else after_account_id,
    )


def run_rerun_all_failed(*, firm: Firm, actor: Actor, run_id: int) -> RerunOutcome:
    """Every account whose proposal for the run's date failed, optimized again once, in
    batches of ``MAX_RERUN``, each batch its own transaction in the firm's scope (so a long
    rerun holds no transaction open and shows its progress as it goes)."""
    rerun = still_failed = 0
    after = 0
    while True:
        with firm_scope(firm):
            run = Run.objects.for_firm(firm).get(pk=run_id)
            batch = run_rerun_failed(firm=firm, actor=actor, run=run, after_account_id=after)
        rerun += batch.rerun
        still_failed += batch.still_failed
        after = batch.last_account_id
        if not batch.rerun or not batch.remaining:
            return RerunOutcome(
                rerun=rerun, still_failed=still_failed, remaining=0, last_account_id=after
            )
