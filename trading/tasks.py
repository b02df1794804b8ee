"""Celery tasks: thin, idempotent, taking ids and calling one service each.

Every task that touches a firm's rows takes the firm's id and works inside that firm's
row-security scope (the services open it), so a worker process that ran a task for one firm
carries nothing of it into the next task.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from firms.models import Firm
from rebalancer.actors import Actor
from rebalancer.rowsecurity import firm_scope
from trading.models import RunTrigger
from trading.services.corporate_actions import corporate_actions_apply_due
from trading.services.gifts import gifts_record_due
from trading.services.rerun import run_rerun_all_failed
from trading.services.runs import chunk_process, run_start
from trading.services.schedule import firms_due

TRANSIENT = (OperationalError, InterfaceError, BrokerError, ConnectionError)


@shared_task(
    name="trading.process_run_chunk",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
)
def process_run_chunk(firm_id: int, chunk_id: int) -> dict:
    outcome = chunk_process(firm_id=firm_id, chunk_id=chunk_id)
    return {"chunk": chunk_id, "skipped": outcome.skipped, "written": outcome.written}


def enqueue_chunks(firm_id: int, chunk_ids: list[int]) -> None:
    for chunk_id in chunk_ids:
        process_run_chunk.delay(firm_id, chunk_id)


@shared_task(
    name="trading.start_firm_run",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    max_retries=8,
)
def start_firm_run(firm_id: int, as_of: str, trigger: str = RunTrigger.SCHEDULE) -> int:
    firm = Firm.objects.get(pk=firm_id)
    with firm_scope(firm):
        corporate_actions_apply_due(firm=firm, actor=Actor.system("task:start_firm_run"))
    with firm_scope(firm):
        gifts_record_due(firm=firm, actor=Actor.system("task:start_firm_run"))
    with firm_scope(firm):
        run, _ = run_start(
            firm=firm, as_of=dt.date.fromisoformat(as_of), trigger=trigger, enqueue=enqueue_chunks
        )
    return run.pk


@shared_task(
    name="trading.rerun_failed_accounts",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    max_retries=8,
)
def rerun_failed_accounts(firm_id: int, run_id: int, actor_id: int | None = None) -> dict:
    """Optimize again every failed account of a run (asked for from the run's page)."""
    firm = Firm.objects.get(pk=firm_id)
    user = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    actor = Actor.person(user) if user else Actor.system("task:rerun_failed_accounts")
    outcome = run_rerun_all_failed(firm=firm, actor=actor, run_id=run_id)
    return {"run": run_id, "rerun": outcome.rerun, "still_failed": outcome.still_failed}


@shared_task(
    name="trading.apply_corporate_actions",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    max_retries=8,
)
def apply_corporate_actions(firm_id: int) -> int:
    """Apply to one firm every corporate action now due that it has not had (idempotent)."""
    firm = Firm.objects.get(pk=firm_id)
    with firm_scope(firm):
        applied = corporate_actions_apply_due(
            firm=firm, actor=Actor.system("task:apply_corporate_actions")
        )
    return len(applied.applications)


def enqueue_corporate_actions_for_every_firm() -> None:
    """After the entering transaction commits: one task per firm."""
    for firm_id in Firm.objects.order_by("pk").values_list("pk", flat=True):
        apply_corporate_actions.delay(firm_id)


@shared_task(name="trading.start_due_nightly_runs")
def start_due_nightly_runs() -> list[int]:
    """Beat calls this every few minutes; it starts each firm's run once its time is due."""
    started = []
    for firm, as_of in firms_due(now=timezone.now()):
        start_firm_run.delay(firm.pk, as_of.isoformat())
        started.append(firm.pk)
    return started
