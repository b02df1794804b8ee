"""`manage.py bench_nightly`: the nightly run over a large book, measured end to end."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max

from accounts.models import Account
from firms.models import Firm
from models_library.models import Price
from rebalancer.rowsecurity import firm_scope
from trading.models import ChunkStatus, Proposal, Run, RunChunk, RunStatus
from trading.services.runs import chunk_process, run_start
from trading.tasks import enqueue_chunks

ROOT = Path(__file__).resolve().parents[3]


class Command(BaseCommand):
    help = (
        "Seed (or reuse) a book of N accounts (90 % ETF models, 10 % 100-stock direct index), "
        "run the nightly run over it and print accounts per second end to end, the time spent "
        "loading, solving and writing, and database queries per chunk. With REDIS_URL set it "
        "starts a real Celery worker (--worker-processes); otherwise it runs in-process."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--accounts", type=int, default=10000)
        parser.add_argument("--firm", default="bench")
        parser.add_argument("--chunk-size", type=int, default=100)
        parser.add_argument("--worker-processes", type=int, default=2)
        parser.add_argument(
            "--external-worker", action="store_true", help="Use workers already running."
        )

    def handle(self, *args, **opts) -> None:
        firm = self._book(opts["firm"], opts["accounts"])
        as_of = Price.objects.aggregate(last=Max("date"))["last"]
        with firm_scope(firm):
            Run.objects.filter(firm=firm, as_of=as_of).delete()
            Proposal.objects.filter(firm=firm, as_of=as_of).delete()
            accounts = Account.objects.filter(firm=firm, is_active=True).count()
        self.stdout.write(
            f"book: {accounts} accounts of firm '{firm.slug}', as of {as_of}, "
            f"database {connection.vendor}, chunk size {opts['chunk_size']}"
        )
        eager = settings.CELERY_TASK_ALWAYS_EAGER
        worker = None
        if not eager and not opts["external_worker"]:
            worker = self._start_worker(opts["worker_processes"])
        try:
            started = time.perf_counter()
            run, chunk_ids = run_start(
                firm=firm,
                as_of=as_of,
                trigger="command",
                chunk_size=opts["chunk_size"],
                enqueue=None if eager else enqueue_chunks,
            )
            if eager:
                for chunk_id in chunk_ids:
                    chunk_process(firm_id=firm.pk, chunk_id=chunk_id)
            else:
                while self._status(firm, run) != RunStatus.COMPLETED:
                    time.sleep(0.2)
            elapsed = time.perf_counter() - started
        finally:
            if worker is not None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=60)
        with firm_scope(firm):
            self._report(
                run,
                elapsed,
                "in-process" if eager else f"{opts['worker_processes']} worker processes",
            )

    def _status(self, firm: Firm, run: Run) -> str:
        with firm_scope(firm):
            return Run.objects.get(pk=run.pk).status

    def _book(self, slug: str, accounts: int) -> Firm:
        firm = Firm.objects.filter(slug=slug).first()
        if firm is not None:
            with firm_scope(firm):
                enough = Account.objects.filter(firm=firm).count() >= accounts
            if enough:
                return firm
        if firm is not None:
            raise CommandError(
                f"firm '{slug}' exists with fewer than {accounts} accounts; "
                f"run `seed_demo --firm {slug} --accounts {accounts} --reset` first"
            )
        started = time.perf_counter()
        call_command("seed_demo", firm=slug, accounts=accounts, stdout=self.stdout)
        self.stdout.write(f"seeded {accounts} accounts in {time.perf_counter() - started:.1f}s")
        return Firm.objects.get(slug=slug)

    def _start_worker(self, processes: int) -> subprocess.Popen:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "rebalancer",
                "worker",
                "--concurrency",
                str(processes),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            start_new_session=True,
        )
        time.sleep(3)
        return worker

    def _report(self, run: Run, elapsed: float, mode: str) -> None:
        chunks = list(RunChunk.objects.filter(run=run, status=ChunkStatus.DONE))
        proposals = Proposal.objects.filter(firm=run.firm, as_of=run.as_of)
        count = proposals.count()
        load = sum(c.load_ms for c in chunks) / 1000
        solve = sum(c.solve_ms for c in chunks) / 1000
        write = sum(c.write_ms for c in chunks) / 1000
        queries = [c.queries for c in chunks]
        full = [c.queries for c in chunks if len(c.account_ids) == run.chunk_size] or queries
        self.stdout.write("")
        self.stdout.write(f"mode                  {mode}")
        self.stdout.write(
            f"proposals written     {count} ({proposals.filter(status='failed').count()} failed)"
        )
        self.stdout.write(f"end to end            {elapsed:.1f} s")
        self.stdout.write(f"accounts per second   {count / elapsed:.1f}   (target: at least 50)")
        self.stdout.write("time in chunks (summed over workers):")
        self.stdout.write(
            f"  load (to a case)    {load:8.1f} s  {1000 * load / max(count, 1):6.1f} ms/account"
        )
        self.stdout.write(
            f"  solve               {solve:8.1f} s  {1000 * solve / max(count, 1):6.1f} ms/account"
        )
        self.stdout.write(
            f"  write               {write:8.1f} s  {1000 * write / max(count, 1):6.1f} ms/account"
        )
        self.stdout.write(
            f"queries per chunk     min {min(queries)}, median {statistics.median(queries):.0f}, "
            f"max {max(queries)} over {len(chunks)} chunks (full chunks: {min(full)}-{max(full)})"
        )
