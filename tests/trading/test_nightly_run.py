"""The nightly run on a real database with the real optimizer (Celery tasks in-process)."""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from optimizer.contract import SUMMARY_FIGURES
from optimizer.types import OptimizeResult, Summary
from trading.models import (
    ChunkStatus,
    Proposal,
    ProposalStatus,
    Run,
    RunChunk,
    RunStatus,
)
from trading.services.runs import chunk_process, run_start
from trading.services.schedule import firms_due
from trading.stored_input import unpack_input
from trading.tasks import enqueue_chunks

from .builders import AS_OF, funded_account, small_book


def _run(firm, *, as_of=AS_OF, chunk_size=2, **kwargs):
    return run_start(
        firm=firm,
        as_of=as_of,
        trigger="command",
        chunk_size=chunk_size,
        enqueue=enqueue_chunks,
        **kwargs,
    )


@pytest.mark.django_db(transaction=True)
def test_every_account_gets_exactly_one_proposal_and_rerun_is_a_no_op(firm_a):
    # given
    _, _, accounts = small_book(firm=firm_a, accounts=5)
    # when
    run, chunk_ids = _run(firm_a)
    # then
    run.refresh_from_db()
    assert len(chunk_ids) == 3
    assert run.status == RunStatus.COMPLETED
    assert run.total_accounts == 5
    proposals = Proposal.objects.filter(firm=firm_a, as_of=AS_OF)
    assert sorted(p.account_id for p in proposals) == sorted(a.pk for a in accounts)
    assert all(p.optimizer_status == "optimal" for p in proposals), [p.message for p in proposals]
    # and running again changes nothing
    again, new_chunks = _run(firm_a)
    assert again.pk == run.pk
    assert new_chunks == []
    assert Proposal.objects.filter(firm=firm_a, as_of=AS_OF).count() == 5


@pytest.mark.django_db(transaction=True)
def test_proposal_stores_trades_figures_and_replayable_input(firm_a):
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    _run(firm_a)
    proposal = Proposal.objects.get(account=account)
    assert proposal.status == ProposalStatus.PENDING_REVIEW
    assert proposal.trades.exists()
    assert proposal.total_value_usd > 0
    assert proposal.drift_after <= proposal.drift_before
    case = unpack_input(proposal.input_blob)
    assert case["account"]["id"] == account.account_number
    assert case["as_of"] == AS_OF.isoformat()
    assert len(proposal.input_sha256) == 64
    for trade in proposal.trades.all():
        assert trade.quantity > 0
        assert trade.reasons


@pytest.mark.django_db(transaction=True)
def test_bad_accounts_fail_alone_with_their_reason(firm_a):
    securities, model, good = small_book(firm=firm_a, accounts=2)
    no_model = funded_account(
        firm=firm_a,
        model=None,
        securities=securities,
        number="NO-MODEL",
        lots=[("VTI", "10", "2000", dt.date(2022, 1, 3))],
    )
    unpriced = securities["ITOT"]
    unpriced.prices.all().delete()
    no_price = funded_account(
        firm=firm_a,
        model=model,
        securities=securities,
        number="NO-PRICE",
        lots=[("ITOT", "10", "1000", dt.date(2022, 1, 3))],
    )
    _run(firm_a)
    failed = {p.account_id: p for p in Proposal.objects.filter(status=ProposalStatus.FAILED)}
    assert set(failed) == {no_model.pk, no_price.pk}
    assert "missing_model" in failed[no_model.pk].flags
    assert "missing_price" in failed[no_price.pk].flags
    assert "ITOT" in failed[no_price.pk].message
    assert Proposal.objects.filter(account__in=good, optimizer_status="optimal").count() == 2
    assert Run.objects.get(firm=firm_a).status == RunStatus.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_stale_price_fails_with_flag(firm_a):
    securities, _, [account] = small_book(firm=firm_a, accounts=1)
    later = AS_OF + dt.timedelta(days=10)
    _run(firm_a, as_of=later)
    proposal = Proposal.objects.get(account=account, as_of=later)
    assert proposal.status == ProposalStatus.FAILED
    assert "stale_price" in proposal.flags


@pytest.mark.django_db(transaction=True)
def test_run_for_one_firm_never_touches_another(firm_a, firm_b):
    small_book(firm=firm_a, accounts=2)
    # firm B shares the security master and prices, and has its own model and accounts
    from models_library.models import Security

    from .builders import published_model

    securities = {s.symbol: s for s in Security.objects.all()}
    model_b = published_model(firm=firm_b, weights={"VTI": "1"}, securities=securities)
    theirs = funded_account(
        firm=firm_b,
        model=model_b,
        securities=securities,
        number="B-1",
        lots=[("BND", "10", "700", dt.date(2022, 1, 3))],
    )
    _run(firm_a)
    assert not Proposal.objects.filter(account=theirs).exists()
    assert not Run.objects.filter(firm=firm_b).exists()
    assert Proposal.objects.filter(firm=firm_a).count() == 2


@pytest.mark.django_db(transaction=True)
def test_redelivered_chunk_writes_nothing_twice(firm_a):
    small_book(firm=firm_a, accounts=3)
    run, chunk_ids = run_start(firm=firm_a, as_of=AS_OF, trigger="command", chunk_size=3)
    assert chunk_process(firm_id=firm_a.pk, chunk_id=chunk_ids[0]).written == 3
    # a worker died after writing but before marking the chunk done: it is redelivered
    RunChunk.objects.filter(pk=chunk_ids[0]).update(status=ChunkStatus.RUNNING)
    outcome = chunk_process(firm_id=firm_a.pk, chunk_id=chunk_ids[0])
    assert outcome.written == 0
    assert Proposal.objects.filter(firm=firm_a).count() == 3
    # and a done chunk delivered again is skipped outright
    assert chunk_process(firm_id=firm_a.pk, chunk_id=chunk_ids[0]).skipped


@pytest.mark.django_db(transaction=True)
def test_next_nights_proposal_supersedes_the_open_one(firm_a):
    securities, _, [account] = small_book(firm=firm_a, accounts=1)
    _run(firm_a)
    from tests.factories import PriceFactory

    tomorrow = AS_OF + dt.timedelta(days=1)
    for security in securities.values():
        PriceFactory(security=security, date=tomorrow, close=security.prices.get().close)
    _run(firm_a, as_of=tomorrow)
    statuses = dict(Proposal.objects.filter(account=account).values_list("as_of", "status"))
    assert statuses[AS_OF] == ProposalStatus.SUPERSEDED
    assert statuses[tomorrow] != ProposalStatus.SUPERSEDED


@pytest.mark.django_db(transaction=True)
def test_queries_per_chunk_do_not_grow_with_chunk_size(firm_a):
    small_book(firm=firm_a, accounts=8)
    run, chunk_ids = run_start(firm=firm_a, as_of=AS_OF, trigger="command", chunk_size=2)
    for chunk_id in chunk_ids[:1]:
        chunk_process(firm_id=firm_a.pk, chunk_id=chunk_id)
    small_chunk = RunChunk.objects.get(pk=chunk_ids[0]).queries
    Proposal.objects.all().delete()
    RunChunk.objects.all().delete()
    Run.objects.all().delete()
    run, chunk_ids = run_start(firm=firm_a, as_of=AS_OF, trigger="command", chunk_size=8)
    chunk_process(firm_id=firm_a.pk, chunk_id=chunk_ids[0])
    big_chunk = RunChunk.objects.get(pk=chunk_ids[0]).queries
    assert big_chunk == small_chunk


@pytest.mark.django_db
def test_beat_starts_each_firm_at_its_own_local_time(firm_a, firm_b):
    firm_a.timezone, firm_a.nightly_run_time = "America/New_York", dt.time(2, 0)
    firm_b.timezone, firm_b.nightly_run_time = "Europe/London", dt.time(2, 0)
    firm_a.save()
    firm_b.save()
    Run.objects.create(firm=firm_a, as_of=dt.date(2025, 6, 30), trigger="schedule")
    # 03:00 in London (summer time) is 22:00 the evening before in New York, whose run
    # for that evening's date has happened
    now = dt.datetime(2025, 7, 1, 2, 0, tzinfo=dt.UTC)
    assert [(f.slug, d) for f, d in firms_due(now=now)] == [("beta", dt.date(2025, 7, 1))]
    later = dt.datetime(2025, 7, 1, 7, 0, tzinfo=dt.UTC)  # 03:00 in New York
    assert {(f.slug, d) for f, d in firms_due(now=later)} == {
        ("alpha", dt.date(2025, 7, 1)),
        ("beta", dt.date(2025, 7, 1)),
    }
    Run.objects.create(firm=firm_b, as_of=dt.date(2025, 7, 1), trigger="schedule")
    assert [f.slug for f, _ in firms_due(now=later)] == ["alpha"]


@pytest.mark.django_db(transaction=True)
def test_rebalance_command_prints_progress_and_summary(firm_a):
    small_book(firm=firm_a, accounts=3)
    out = io.StringIO()
    call_command("rebalance", "--firm", "alpha", "--as-of", "2025-06-30", stdout=out)
    text = out.getvalue()
    assert "3/3 accounts" in text
    assert "3 proposals" in text
    assert Proposal.objects.filter(firm=firm_a).count() == 3


@pytest.mark.django_db(transaction=True)
def test_rebalance_command_for_some_accounts(firm_a):
    _, _, accounts = small_book(firm=firm_a, accounts=3)
    call_command(
        "rebalance",
        "--firm",
        "alpha",
        "--account",
        accounts[0].account_number,
        "--as-of",
        "2025-06-30",
        "--no-progress",
        stdout=io.StringIO(),
    )
    assert list(Proposal.objects.values_list("account_id", flat=True)) == [accounts[0].pk]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--firm", "nope"], "no firm"),
        (["--as-of", "30/06/2025"], "not a date"),
        (["--account", "X"], "needs --firm"),
    ],
)
@pytest.mark.django_db
def test_rebalance_command_rejects_bad_arguments(args, message, firm_a):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("rebalance", *args)


def test_withdrawal_flag_threshold_helper():
    from tests.factories import FirmFactory
    from trading.services.proposal_build import review_flags

    firm = FirmFactory.build(turnover_flag_threshold=Decimal("0.1"), tax_flag_threshold_usd=100)
    figures: dict[str, Any] = dict.fromkeys(SUMMARY_FIGURES, Decimal("0")) | {
        "turnover": Decimal("0.2"),
        "estimated_tax": Decimal("150"),
    }
    flags = review_flags(
        firm=firm,
        result=OptimizeResult(account="A", status="optimal", summary=Summary(**figures)),
        withdrawal_usd=Decimal("0"),
    )
    assert flags == ["turnover_above_threshold", "tax_above_threshold"]


def test_the_optimizers_drift_forced_flag_is_a_review_flag_of_the_proposal():
    from tests.factories import FirmFactory
    from trading.services.proposal_build import review_flags

    # given an answer whose tracking error a rule held above the limit
    firm = FirmFactory.build()
    zeros: dict[str, Any] = dict.fromkeys(SUMMARY_FIGURES, Decimal("0"))
    forced = Summary(**zeros, flags=("drift_forced",))
    # when
    flags = review_flags(
        firm=firm,
        result=OptimizeResult(account="A", status="optimal", summary=forced),
        withdrawal_usd=Decimal("0"),
    )
    # then the proposal carries it, as a household's account's proposal does
    assert flags == ["drift_forced"]


def test_no_trades_fallback_with_a_reason_is_flagged():
    from tests.factories import FirmFactory
    from trading.services.proposal_build import build_proposal

    firm = FirmFactory.build()
    zeros: dict[str, Any] = dict.fromkeys(SUMMARY_FIGURES, Decimal("0"))
    result = OptimizeResult(
        account="A",
        status="optimal",
        message="rounding could not keep every rule; no trades proposed",
        summary=Summary(**zeros),
    )
    proposal = build_proposal(
        firm=firm, account_id=1, as_of=AS_OF, run_id=None, result=result, case=None
    )
    assert proposal.status == ProposalStatus.NO_TRADES
    assert proposal.flags == ["optimizer_fallback"]


@pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="two workers writing at once: PostgreSQL only",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_finishing_the_last_chunks_together_complete_the_run(firm_a, monkeypatch):
    """Both mark their chunk done, then both check whether the run is complete: each must
    see the other's chunk done (the check comes after each chunk's own commit)."""
    from trading.services import runs

    small_book(firm=firm_a, accounts=4)
    run, chunk_ids = run_start(firm=firm_a, as_of=AS_OF, trigger="command", chunk_size=2)
    assert len(chunk_ids) == 2
    both_marked = threading.Barrier(2, timeout=60)
    real_check = runs.run_refresh_status

    def check_after_both_marked(*, run_id):
        both_marked.wait()
        real_check(run_id=run_id)

    monkeypatch.setattr(runs, "run_refresh_status", check_after_both_marked)
    errors = []

    def worker(chunk_id):
        try:
            chunk_process(firm_id=firm_a.pk, chunk_id=chunk_id)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(chunk_id,)) for chunk_id in chunk_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert Run.objects.get(pk=run.pk).status == RunStatus.COMPLETED
