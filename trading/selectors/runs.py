"""Nightly runs for the operations pages: the list, one run's chunks and failures.

A run is the firm's whole nightly job: its list, status and progress counts name no
account and are the same for everyone who may see runs. Its failures are a list of
accounts, so they go through the advisor scope (``accounts.selectors.scope``): an advisor
who sees only their households sees only those households' failed accounts.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.selectors.scope import PROPOSAL, advisor_scope
from firms.models import Firm, Membership
from rebalancer.tenancy import get_for_firm_or_404
from trading.models import ChunkStatus, Proposal, ProposalStatus, Run


def run_list(*, firm: Firm) -> QuerySet[Run]:
    return Run.objects.for_firm(firm).select_related("started_by").order_by("-as_of", "-pk")


def run_get(*, firm: Firm, run_id: int) -> Run:
    return get_for_firm_or_404(Run.objects.select_related("started_by"), firm=firm, pk=run_id)


def run_failures(
    *, firm: Firm, run: Run, membership: Membership | None = None
) -> QuerySet[Proposal]:
    """The run date's failed proposals (still current), with their reasons; only those of
    the accounts ``membership`` may see (all of them without a member: tasks, commands)."""
    qs = advisor_scope(
        Proposal.objects.for_firm(firm), membership=membership, household_path=PROPOSAL
    )
    return (
        qs.filter(as_of=run.as_of, status=ProposalStatus.FAILED)
        .select_related("account")
        .order_by("account__account_number")
    )


def run_chunk_counts(*, run: Run) -> dict[str, int]:
    counts = dict.fromkeys(ChunkStatus.values, 0)
    for status in run.chunks.values_list("status", flat=True):
        counts[status] += 1
    return counts


def run_progress(*, firm: Firm, run: Run) -> dict[str, int]:
    counts = dict.fromkeys(ProposalStatus.values, 0)
    rows = (
        Proposal.objects.for_firm(firm)
        .filter(as_of=run.as_of)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    for status, n in rows:
        counts[status] += n
    done = sum(counts.values())
    return {"total": max(run.total_accounts, done), "done": done, **counts}
