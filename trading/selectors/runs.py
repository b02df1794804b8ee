"""Nightly runs for the operations pages: the list, one run's chunks and failures."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Firm
from rebalancer.tenancy import get_for_firm_or_404
from trading.models import ChunkStatus, Proposal, ProposalStatus, Run


def run_list(*, firm: Firm) -> QuerySet[Run]:
    return Run.objects.for_firm(firm).select_related("started_by").order_by("-as_of", "-pk")


def run_get(*, firm: Firm, run_id: int) -> Run:
    return get_for_firm_or_404(Run.objects.select_related("started_by"), firm=firm, pk=run_id)


def run_failures(*, firm: Firm, run: Run) -> QuerySet[Proposal]:
    """The run date's failed proposals (still current), with their reasons."""
    return (
        Proposal.objects.for_firm(firm)
        .filter(as_of=run.as_of, status=ProposalStatus.FAILED)
        .select_related("account")
        .order_by("account__account_number")
    )


def run_chunk_counts(*, run: Run) -> dict[str, int]:
    counts = dict.fromkeys(ChunkStatus.values, 0)
    for status in run.chunks.values_list("status", flat=True):
        counts[status] += 1
    return counts
