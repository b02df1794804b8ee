"""`manage.py bench_nightly`: the nightly run over a large book, measured end to end."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max

from accounts.models import Account
from benchmarks.certificates import certificate_gaps
from benchmarks.managed_book import managed_flags, managed_flags_restore, managed_share_set
from benchmarks.solve_by_kind import by_kind_lines, solve_times_by_kind
from firms.models import Firm
from models_library.models import Price
from rebalancer.celery import app as celery_app
from rebalancer.rowsecurity import firm_scope
from trading.models import ChunkStatus, HouseholdProposal, Proposal, Run, RunChunk, RunStatus
from trading.services.runs import chunk_process, run_start
from trading.tasks import enqueue_chunks

ROOT = Path(__file__).resolve().parents[3]
TARGET_PER_SECOND = 170
MEMORY_LIMIT_MB = 500
WORKER_START_S = 180


def _rss_mb(pid: int) -> float:
    """Resident set size of one process, MB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def _children(pid: int) -> list[int]:
    """The worker's pool processes (its direct children)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


class Command(BaseCommand):
    help = (
        "Seed (or reuse) a book of N accounts (90 % ETF models, 10 % 100-stock direct index), "
        "run the nightly run over it and print accounts per second end to end against the "
        "target (170), the per-account budget that target leaves on the workers and how "
        "loading, solving and writing share it, database queries per chunk and, with a real "
        "worker, each worker process's memory at the start, middle and end. With REDIS_URL set "
        "it starts a real Celery worker (--worker-processes); otherwise it runs in-process. "
        "--managed-households 0.3 measures the book with no household managed as one and "
        "then with 30 % of its accounts in households managed as one, back to back."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--accounts", type=int, default=10000)
        parser.add_argument("--firm", default="bench")
        parser.add_argument("--chunk-size", type=int, default=100)
        parser.add_argument("--worker-processes", type=int, default=2)
        parser.add_argument(
            "--external-worker", action="store_true", help="Use workers already running."
        )
        parser.add_argument(
            "--by-kind",
            type=int,
            default=500,
            metavar="N",
            help="After the run, solve a sample of N accounts in this process and print the "
            "solve time by kind of account (fund or direct index, by tax status); 0: skip.",
        )
        parser.add_argument(
            "--managed-households",
            type=float,
            default=None,
            metavar="SHARE",
            help="Run twice, back to back: with no household managed as one, then with this "
            "share of the accounts (0 to 1, e.g. 0.3) in households managed as one (taxable + "
            "IRA + Roth first), and print both rates and their ratio. The book's own "
            "households are put back after.",
        )

    def handle(self, *args, **opts) -> None:
        share = opts["managed_households"]
        if share is not None and not 0 <= share <= 1:
            raise CommandError("--managed-households: give a share of accounts from 0 to 1")
        firm = self._book(opts["firm"], opts["accounts"])
        self._analyze()
        as_of = Price.objects.aggregate(last=Max("date"))["last"]
        with firm_scope(firm):
            accounts = Account.objects.filter(firm=firm, is_active=True).count()
        self.stdout.write(
            f"book: {accounts} accounts of firm '{firm.slug}', as of {as_of}, "
            f"database {connection.vendor}, chunk size {opts['chunk_size']}"
        )
        worker = None
        if not settings.CELERY_TASK_ALWAYS_EAGER and not opts["external_worker"]:
            worker = self._start_worker(opts["worker_processes"])
        try:
            if share is None:
                self._measure(firm, as_of, opts, worker)
            else:
                self._compare(firm, as_of, opts, worker, share)
        finally:
            if worker is not None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=60)
        if opts["by_kind"] > 0:
            self.stdout.write(
                f"\nsolve time by kind of account ({opts['by_kind']} accounts sampled, "
                "each solved alone in this process, CPU):"
            )
            rows = solve_times_by_kind(firm=firm, as_of=as_of, sample=opts["by_kind"])
            for line in by_kind_lines(rows):
                self.stdout.write(line)

    def _compare(
        self, firm: Firm, as_of, opts: dict, worker: subprocess.Popen | None, share: float
    ) -> None:
        """The plain run (no household managed as one), then the run with `share` of the
        accounts in managed households, back to back on the same book and workers; the
        book's own flags are put back after."""
        original = managed_flags(firm=firm)
        rates: list[tuple[str, float]] = []
        try:
            for label, wanted in (("plain", 0.0), ("households", share)):
                book = managed_share_set(firm=firm, share=wanted)
                self.stdout.write(f"\n== {label}: {book.describe()}")
                rate = self._measure(firm, as_of, opts, worker)
                rates.append((f"{label} ({100 * book.share:.0f} % managed)", rate))
        finally:
            managed_flags_restore(firm=firm, managed=original)
        self.stdout.write("\naccounts per second, back to back on the same book and workers:")
        for label, rate in rates:
            verdict = "met" if rate >= TARGET_PER_SECOND else "missed"
            self.stdout.write(
                f"  {label:<26}{rate:8.1f}   (target: at least {TARGET_PER_SECOND}: {verdict})"
            )
        (_, plain), (_, managed) = rates
        self.stdout.write(f"  {'ratio households / plain':<26}{managed / max(plain, 1e-9):8.2f}")

    def _measure(self, firm: Firm, as_of, opts: dict, worker: subprocess.Popen | None) -> float:
        """One nightly run over the book from scratch (tonight's run and proposals deleted
        first); prints its report and returns accounts per second."""
        with firm_scope(firm):
            Run.objects.filter(firm=firm, as_of=as_of).delete()
            Proposal.objects.filter(firm=firm, as_of=as_of).delete()
            HouseholdProposal.objects.filter(firm=firm, as_of=as_of).delete()
        eager = settings.CELERY_TASK_ALWAYS_EAGER
        memory: list[tuple[float, list[float]]] = []
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
            last_sample = 0.0
            while self._status(firm, run) != RunStatus.COMPLETED:
                if worker is not None and time.perf_counter() - last_sample > 2.0:
                    last_sample = time.perf_counter()
                    memory.append(
                        (last_sample - started, [_rss_mb(p) for p in _children(worker.pid)])
                    )
                time.sleep(0.2)
        elapsed = time.perf_counter() - started
        with firm_scope(firm):
            rate = self._report(
                run,
                elapsed,
                "in-process" if eager else f"{opts['worker_processes']} worker processes",
                1 if eager else opts["worker_processes"],
            )
        self._memory(memory)
        return rate

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

    def _analyze(self) -> None:
        """Refresh the planner's statistics before measuring, as the tables' owner
        (``DATABASE_OWNER_URL``; the application's role may not): a freshly seeded book
        where autovacuum is off (or has not caught up yet) otherwise looks empty to the
        planner, which then combines every firm-wide index into its plans, and loading a
        chunk costs several times what it does in a deployment."""
        owner = settings.DATABASE_OWNER
        if connection.vendor != "postgresql":
            return
        started = time.perf_counter()
        if not owner:
            # PostgreSQL skips, with a warning, the tables this role does not own
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write(
                f"planner statistics: analyzed as the application's role (no owner role "
                f"set; tables it does not own keep theirs) in {time.perf_counter() - started:.1f} s"
            )
            return
        with psycopg.connect(
            host=owner["HOST"] or None,
            port=owner["PORT"] or None,
            dbname=owner["NAME"],
            user=owner["USER"],
            password=owner["PASSWORD"] or None,
            autocommit=True,
        ) as conn:
            conn.execute("ANALYZE")
        self.stdout.write(
            f"planner statistics: analyzed as the tables' owner in "
            f"{time.perf_counter() - started:.1f} s"
        )

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
        self._wait_ready(worker)
        return worker

    def _wait_ready(self, worker: subprocess.Popen) -> None:
        """Until the worker answers a ping, so that its start-up (slow on a loaded machine)
        is not counted in the first run."""
        deadline = time.perf_counter() + WORKER_START_S
        while time.perf_counter() < deadline:
            if worker.poll() is not None:
                raise CommandError(f"the Celery worker exited with {worker.returncode}")
            if celery_app.control.ping(timeout=1.0):
                return
        raise CommandError(f"the Celery worker did not answer within {WORKER_START_S} s")

    def _report(self, run: Run, elapsed: float, mode: str, workers: int) -> float:
        chunks = list(RunChunk.objects.filter(run=run, status=ChunkStatus.DONE))
        proposals = Proposal.objects.filter(firm=run.firm, as_of=run.as_of)
        count = proposals.count()
        per = 1000 / max(count, 1)
        load = sum(c.load_ms for c in chunks) / 1000
        solve = sum(c.solve_ms for c in chunks) / 1000
        write = sum(c.write_ms for c in chunks) / 1000
        budget = 1000 * workers / TARGET_PER_SECOND
        spent = 1000 * elapsed * workers / max(count, 1)
        queries = [c.queries for c in chunks]
        full = [c.queries for c in chunks if len(c.account_ids) == run.chunk_size] or queries
        rate = count / elapsed
        self.stdout.write("")
        self.stdout.write(f"mode                  {mode}")
        self.stdout.write(
            f"proposals written     {count} ({proposals.filter(status='failed').count()} failed)"
        )
        self.stdout.write(f"end to end            {elapsed:.1f} s")
        self.stdout.write(
            f"accounts per second   {rate:.1f}   (target: at least {TARGET_PER_SECOND}: "
            f"{'met' if rate >= TARGET_PER_SECOND else 'missed'})"
        )
        self.stdout.write(
            f"budget per account    {budget:.1f} ms of worker time ({TARGET_PER_SECOND} "
            f"accounts/s on {workers} worker{'s' if workers > 1 else ''}); spent {spent:.1f} ms"
        )
        self.stdout.write("time in chunks (summed over workers), per account and share of budget:")
        for label, total in (
            ("load (to a case)", load),
            ("solve", solve),
            ("write", write),
        ):
            self.stdout.write(
                f"  {label:<18}{total:8.1f} s  {total * per:6.1f} ms/account  "
                f"{100 * total * per / budget:5.0f} % of budget"
            )
        other = spent - (load + solve + write) * per
        self.stdout.write(
            f"  {'outside chunks':<18}{other * count / 1000:8.1f} s  {other:6.1f} ms/account  "
            f"{100 * other / budget:5.0f} % of budget (queue, claims, run status)"
        )
        self.stdout.write(
            f"queries per chunk     min {min(queries)}, median {statistics.median(queries):.0f}, "
            f"max {max(queries)} over {len(chunks)} chunks (full chunks: {min(full)}-{max(full)})"
        )
        self.stdout.write("certificate (each answer's objective against its own lower bound):")
        for gaps in certificate_gaps(proposals.values_list("result", "input_blob").iterator()):
            self.stdout.write(gaps.line())
        return rate

    def _memory(self, samples: list[tuple[float, list[float]]]) -> None:
        """Each worker process's resident memory at the start, middle and end of the run."""
        samples = [(t, sizes) for t, sizes in samples if sizes]
        if not samples:
            return
        marks = (
            ("start", samples[0]),
            ("middle", samples[len(samples) // 2]),
            ("end", samples[-1]),
        )
        for label, (at, sizes) in marks:
            listed = ", ".join(f"{size:.0f}" for size in sizes)
            self.stdout.write(f"worker memory {label:<7} ({at:6.1f} s): {listed} MB RSS")
        peak = max(max(sizes) for _, sizes in samples)
        growth = max(samples[-1][1]) - max(samples[len(samples) // 2][1])
        ok = peak < MEMORY_LIMIT_MB and growth < 20
        self.stdout.write(
            f"worker memory: peak {peak:.0f} MB, growth middle->end {growth:+.0f} MB "
            f"(limit {MEMORY_LIMIT_MB} MB, flat): {'ok' if ok else 'TOO HIGH'}"
        )
