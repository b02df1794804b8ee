"""A real Celery worker against Redis and PostgreSQL, killed in the middle of a run.

Runs only where both are configured (the PostgreSQL pass of ``.ci/run``): REDIS_URL set and
DATABASE_URL pointing at PostgreSQL. The worker is a separate process that reads the test
database, so the test commits its data (``transaction=True``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from trading.models import ChunkStatus, Proposal, Run, RunChunk, RunStatus
from trading.services.runs import run_start
from trading.tasks import enqueue_chunks

from .builders import AS_OF, small_book

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (the CI pass)",
    ),
]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(queue: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": "5",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "rebalancer",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _kill(worker: subprocess.Popen) -> None:
    try:
        os.killpg(worker.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    worker.wait(timeout=30)


def _wait(predicate, *, seconds: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.fixture
def queue():
    from rebalancer.celery import app

    name = f"test-{uuid.uuid4().hex[:8]}"
    before = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = name, False
    app.conf.broker_transport_options = {"visibility_timeout": 5}
    yield name
    app.conf.task_default_queue, app.conf.task_always_eager = before


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_run_loses_nothing(firm_a, firm_b, queue, tmp_path):
    # given a book of 120 accounts in 60 chunks, and another firm that must stay untouched
    _, _, accounts = small_book(firm=firm_a, accounts=120)
    worker = _start_worker(queue, tmp_path / "worker-1.log")
    try:
        run, chunk_ids = run_start(
            firm=firm_a, as_of=AS_OF, trigger="command", chunk_size=2, enqueue=enqueue_chunks
        )
        assert len(chunk_ids) == 60
        # when the worker is killed once a few chunks are done
        assert _wait(
            lambda: RunChunk.objects.filter(run=run, status=ChunkStatus.DONE).count() >= 4,
            seconds=120,
        ), (tmp_path / "worker-1.log").read_text()[-3000:]
        _kill(worker)
        done_at_kill = RunChunk.objects.filter(run=run, status=ChunkStatus.DONE).count()
        assert done_at_kill < 60, "the run finished before the kill; make it longer"
        # then a new worker and a rerun complete the run
        worker = _start_worker(queue, tmp_path / "worker-2.log")
        run_start(firm=firm_a, as_of=AS_OF, trigger="command", chunk_size=2, enqueue=enqueue_chunks)
        assert _wait(
            lambda: Run.objects.get(pk=run.pk).status == RunStatus.COMPLETED,
            seconds=240,
            step=0.5,
        ), (tmp_path / "worker-2.log").read_text()[-3000:]
    finally:
        _kill(worker)
    per_account = Proposal.objects.filter(as_of=AS_OF).values_list("account_id", flat=True)
    assert sorted(per_account) == sorted(a.pk for a in accounts)
    assert not Proposal.objects.filter(firm=firm_b).exists()
    assert RunChunk.objects.filter(run=run).exclude(status=ChunkStatus.DONE).count() == 0


@pytest.mark.django_db(transaction=True)
def test_redelivery_alone_completes_the_run(firm_a, queue, tmp_path):
    """Without a rerun: the killed worker's unacknowledged chunks come back by themselves."""
    small_book(firm=firm_a, accounts=60)
    worker = _start_worker(queue, tmp_path / "worker-1.log")
    try:
        run, _ = run_start(
            firm=firm_a, as_of=AS_OF, trigger="command", chunk_size=2, enqueue=enqueue_chunks
        )
        assert _wait(
            lambda: RunChunk.objects.filter(run=run, status=ChunkStatus.DONE).count() >= 2,
            seconds=120,
        )
        _kill(worker)
        worker = _start_worker(queue, tmp_path / "worker-2.log")
        assert _wait(
            lambda: Run.objects.get(pk=run.pk).status == RunStatus.COMPLETED,
            seconds=240,
            step=0.5,
        ), (tmp_path / "worker-2.log").read_text()[-3000:]
    finally:
        _kill(worker)
    assert Proposal.objects.filter(as_of=AS_OF).count() == 60
