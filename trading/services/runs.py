"""The nightly run: one firm, one as-of date, every active account, in chunks.

- ``run_start`` creates (or reuses) the firm's run for the date and splits the accounts that
  have no proposal for that date yet into chunks; their tasks are enqueued after commit.
- ``chunk_process`` claims a chunk, loads its inputs in a constant number of queries, solves
  each account outside any transaction, and writes all proposals in one short transaction.

Both take the firm explicitly and do their database work inside ``firm_scope``, so on
PostgreSQL row-level security shows them that firm's rows only, whoever calls them.

Exactly one proposal per account and date is guaranteed by a unique constraint; a chunk
run twice (a redelivered task after a worker died, or a rerun) skips accounts that already
have one, so repeating anything is a no-op.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account
from firms.models import Firm
from firms.services.audit import audit_record
from models_library.services.risk_models import risk_model_mark_used
from money import ZERO
from rebalancer.actors import Actor
from rebalancer.bulk_insert import insert_instances, insert_rows
from rebalancer.errors import InvalidTransition
from rebalancer.querycount import count_queries
from rebalancer.rowsecurity import firm_scope
from rebalancer.transitions import transition, transition_all
from trading.models import (
    ChunkStatus,
    Proposal,
    ProposalStatus,
    ProposedTrade,
    Run,
    RunChunk,
    RunStatus,
)
from trading.selectors.run_inputs import AccountInputs, ChunkInputs, chunk_inputs
from trading.services.gifts import gifts_mark_proposed
from trading.services.household_runs import HouseholdSolved, solve_chunk_households
from trading.services.household_write import households_write
from trading.services.proposal_build import Solved, build_trades, trade_values

DEFAULT_CHUNK_SIZE = 100
SUPERSEDABLE = [ProposalStatus.PENDING_REVIEW, ProposalStatus.NO_TRADES, ProposalStatus.FAILED]


def _accounts_to_do(*, firm: Firm, run: Run, account_numbers: list[str] | None) -> list[int]:
    accounts = Account.objects.for_firm(firm).filter(is_active=True)
    if account_numbers:
        accounts = accounts.filter(account_number__in=account_numbers)
    done = Proposal.objects.for_firm(firm).filter(as_of=run.as_of).values("account_id")
    queued = set()
    for ids in (
        RunChunk.objects.filter(run=run)
        .exclude(status=ChunkStatus.DONE)
        .values_list("account_ids", flat=True)
    ):
        queued.update(ids)
    ids = accounts.exclude(pk__in=done).order_by("pk").values_list("pk", flat=True)
    return [pk for pk in ids if pk not in queued]


def _chunked(*, firm: Firm, account_ids: list[int], chunk_size: int) -> list[list[int]]:
    """The accounts in chunks of at most ``chunk_size``, in id order, except that the
    accounts of a household go in one chunk together (a larger one if they are more),
    managed as one or not: its worker solves a managed household as one problem, spends a
    shared gain cap one account after the other, and lets no account wash another's sale
    of the same night; no other worker touches the household meanwhile."""
    units: dict[int, list[int]] = {}
    households = Account.objects.for_firm(firm).filter(pk__in=account_ids)
    for pk, household_id in households.order_by("pk").values_list("pk", "household_id"):
        units.setdefault(household_id, []).append(pk)
    chunks: list[list[int]] = []
    for unit in units.values():
        if chunks and len(chunks[-1]) + len(unit) <= chunk_size:
            chunks[-1].extend(unit)
        else:
            chunks.append(list(unit))
    return chunks


def run_start(
    *,
    firm: Firm,
    as_of: dt.date,
    trigger: str,
    actor: Actor | None = None,
    account_numbers: list[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    enqueue: Callable[[int, list[int]], None] | None = None,
) -> tuple[Run, list[int]]:
    """Create or resume the firm's run for ``as_of``; returns it and the chunk ids to do.

    Accounts with a proposal for the date are skipped, and accounts already in an unfinished
    chunk are not chunked again; unfinished chunks are returned again with the new ones, so a
    second start resumes an interrupted run and is a no-op on a complete one. ``enqueue``
    receives the firm's id and the chunk ids after commit.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    with firm_scope(firm):
        return _run_start(
            firm=firm,
            as_of=as_of,
            trigger=trigger,
            actor=actor,
            account_numbers=account_numbers,
            chunk_size=chunk_size,
            enqueue=enqueue,
        )


def _run_start(*, firm, as_of, trigger, actor, account_numbers, chunk_size, enqueue):
    with transaction.atomic():
        run, created = Run.objects.get_or_create(
            firm=firm,
            as_of=as_of,
            defaults={
                "trigger": trigger,
                "started_by": actor.user if actor else None,
                "chunk_size": chunk_size,
            },
        )
        run = Run.objects.select_for_update().get(pk=run.pk)
        todo = _accounts_to_do(firm=firm, run=run, account_numbers=account_numbers)
        first = (run.chunks.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        chunks = [
            RunChunk(firm=firm, run=run, number=first + i, account_ids=ids)
            for i, ids in enumerate(_chunked(firm=firm, account_ids=todo, chunk_size=chunk_size))
        ]
        RunChunk.objects.bulk_create(chunks)
        # unfinished chunks are queued again: a chunk whose worker died is then completed
        # by the rerun (a chunk that is still running meanwhile is harmless: it is idempotent)
        chunk_ids = list(
            RunChunk.objects.filter(run=run)
            .exclude(status=ChunkStatus.DONE)
            .order_by("number")
            .values_list("pk", flat=True)
        )
        total = Proposal.objects.filter(firm=firm, as_of=as_of).count() + sum(
            len(ids)
            for ids in RunChunk.objects.filter(run=run)
            .exclude(status=ChunkStatus.DONE)
            .values_list("account_ids", flat=True)
        )
        Run.objects.filter(pk=run.pk).update(total_accounts=total)
        if chunk_ids and run.status != RunStatus.RUNNING:
            # new accounts (or unfinished chunks) for a finished run: it runs again
            transition(run, to=RunStatus.RUNNING, finished_at=None)
        if created:
            audit_record(
                firm=firm,
                actor=actor or Actor.system(trigger),
                action="run.start",
                obj=run,
                after={"as_of": as_of, "accounts": len(todo), "chunks": len(chunk_ids)},
            )
        if enqueue is not None and chunk_ids:
            transaction.on_commit(lambda: enqueue(firm.pk, chunk_ids))
    if not chunk_ids:
        run_refresh_status(run_id=run.pk)
    run.refresh_from_db()
    return run, chunk_ids


@dataclass
class ChunkOutcome:
    skipped: bool
    written: int = 0


def _claim(*, firm_id: int, chunk_id: int) -> RunChunk | None:
    """Mark the chunk running (a conditional update); None if it is already done."""
    try:
        transition(
            RunChunk.objects.filter(pk=chunk_id, firm_id=firm_id),
            expected=[ChunkStatus.PENDING, ChunkStatus.RUNNING],
            to=ChunkStatus.RUNNING,
        )
    except InvalidTransition:
        return None
    return RunChunk.objects.select_related("run", "firm").get(pk=chunk_id, firm_id=firm_id)


def chunk_process(*, firm_id: int, chunk_id: int) -> ChunkOutcome:
    """Claim, load, solve and write one chunk of ``firm_id``'s run (a chunk of another firm,
    or one already done, is skipped). Loading and writing are short transactions in the
    firm's scope; solving happens between them, outside any transaction."""
    with firm_scope(firm_id):
        chunk = _claim(firm_id=firm_id, chunk_id=chunk_id)
    if chunk is None:
        # already done: a redelivery; it still completes a run whose last check was missed
        with firm_scope(firm_id):
            chunks = RunChunk.objects.filter(pk=chunk_id, firm_id=firm_id)
            run_id = chunks.values_list("run_id", flat=True).first()
            if run_id is not None:
                run_refresh_status(run_id=run_id)
        return ChunkOutcome(skipped=True)
    firm, run = chunk.firm, chunk.run
    with count_queries() as queries:
        started = time.perf_counter()
        with firm_scope(firm):
            have = set(
                Proposal.objects.for_firm(firm)
                .filter(account_id__in=chunk.account_ids, as_of=run.as_of)
                .values_list("account_id", flat=True)
            )
            todo = [pk for pk in chunk.account_ids if pk not in have]
            inputs = chunk_inputs(firm=firm, account_ids=todo, as_of=run.as_of)
        if inputs.risk_model is not None:
            # its proposals will name it: from now on it is never deleted
            risk_model_mark_used(name=inputs.risk_model.id)
        loaded = time.perf_counter()
        solved_list, households = _solve_in_order(firm=firm, run=run, inputs=inputs)
        solved = time.perf_counter()
        with firm_scope(firm):
            households_write(firm=firm, run=run, households=households)
            written = _write(firm=firm, run=run, solved=solved_list, securities=inputs.securities)
        done = time.perf_counter()
    with firm_scope(firm):
        transition_all(
            RunChunk.objects.filter(pk=chunk.pk),
            expected=ChunkStatus.RUNNING,
            to=ChunkStatus.DONE,
            finished_at=timezone.now(),
            load_ms=int((loaded - started) * 1000),
            solve_ms=int((solved - loaded) * 1000),
            write_ms=int((done - solved) * 1000),
            queries=queries.count,
        )
    # after the chunk's own commit: of two workers finishing the last chunks together, the
    # later one to commit then sees both done and completes the run
    with firm_scope(firm):
        run_refresh_status(run_id=run.pk)
    return ChunkOutcome(skipped=False, written=written)


def _solve_in_order(
    *, firm: Firm, run: Run, inputs: ChunkInputs
) -> tuple[list[Solved], list[HouseholdSolved]]:
    """Each account's proposal, one after the other (a managed household's together): what
    an account's proposal realizes is spent from its household's shared gain cap before the
    next account is built (``trading.services.household_runs``)."""

    def spend(item: AccountInputs, answer: Solved) -> None:
        reliefs = [relief for trade in answer.trades for relief in trade.lots]
        inputs.gain_rooms.spend(
            item.account.pk,
            net_usd=sum((r.gain for r in reliefs), ZERO),
            short_usd=sum((r.gain for r in reliefs if r.term == "short"), ZERO),
        )

    return solve_chunk_households(firm=firm, run_id=run.pk, inputs=inputs, spend=spend)


def _write(*, firm: Firm, run: Run, solved: list[Solved], securities) -> int:
    """Insert proposals and trades, superseding older open proposals, in one transaction."""
    if not solved:
        return 0
    proposals = [s.proposal for s in solved]
    account_ids = [p.account_id for p in proposals]
    try:
        with transaction.atomic():
            transition_all(
                Proposal.objects.for_firm(firm).filter(
                    account_id__in=account_ids, as_of__lt=run.as_of
                ),
                expected=SUPERSEDABLE,
                to=ProposalStatus.SUPERSEDED,
            )
            insert_instances(proposals)
            insert_rows(
                ProposedTrade,
                [
                    {
                        "firm_id": firm.pk,
                        "proposal_id": answer.proposal.pk,
                        "security_id": securities[trade.symbol].pk,
                        **trade_values(trade),
                    }
                    for answer in solved
                    for trade in answer.trades
                ],
            )
            gifts_mark_proposed(firm=firm, proposals=proposals)
    except IntegrityError:
        # another worker wrote some of these accounts first: write the rest one by one
        return sum(_write_one(firm=firm, run=run, s=s, securities=securities) for s in solved)
    return len(proposals)


def _write_one(*, firm: Firm, run: Run, s: Solved, securities) -> int:
    p = s.proposal
    try:
        with transaction.atomic():
            if (
                Proposal.objects.for_firm(firm)
                .filter(account_id=p.account_id, as_of=run.as_of)
                .exists()
            ):
                return 0
            p.save()
            ProposedTrade.objects.bulk_create(
                build_trades(firm=firm, proposal=p, trades=s.trades, securities=securities)
            )
            gifts_mark_proposed(firm=firm, proposals=[p])
            return 1
    except IntegrityError:
        return 0


def run_refresh_status(*, run_id: int) -> None:
    """Complete the run once every chunk is done (a conditional update: at most once)."""
    if RunChunk.objects.filter(run_id=run_id).exclude(status=ChunkStatus.DONE).exists():
        return
    transition_all(
        Run.objects.filter(pk=run_id),
        expected=RunStatus.RUNNING,
        to=RunStatus.COMPLETED,
        finished_at=timezone.now(),
    )
