"""`manage.py rebalance`: the nightly run from the command line, with a progress bar."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from firms.models import Firm
from rebalancer.celery import app
from rebalancer.rowsecurity import firm_scope
from trading.models import ChunkStatus, Proposal, Run, RunChunk, RunTrigger
from trading.selectors.runs import run_progress
from trading.services.runs import DEFAULT_CHUNK_SIZE, chunk_process, run_start
from trading.services.schedule import firm_local_date
from trading.tasks import enqueue_chunks


def _bar(done: int, total: int, started: float, width: int = 30) -> str:
    elapsed = max(time.perf_counter() - started, 1e-9)
    rate = done / elapsed
    left = (total - done) / rate if rate > 0 else 0.0
    filled = int(width * done / total) if total else width
    return (
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} accounts "
        f"{rate:6.1f}/s  {left:5.0f}s left"
    )


class Command(BaseCommand):
    help = (
        "Run the nightly optimization for every active account of a firm (or all firms) and "
        "write one proposal per account for the as-of date. Running twice is a no-op."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--firm", help="Firm slug (default: every firm).")
        parser.add_argument("--account", nargs="+", dest="accounts", metavar="NUMBER")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today in the firm's zone).")
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts) -> None:
        firms = Firm.objects.order_by("slug")
        if opts["firm"]:
            firms = firms.filter(slug=opts["firm"])
            if not firms.exists():
                raise CommandError(f"--firm: no firm with slug '{opts['firm']}'")
        if opts["accounts"] and not opts["firm"]:
            raise CommandError("--account needs --firm (account numbers are unique per firm)")
        try:
            as_of = dt.date.fromisoformat(opts["as_of"]) if opts["as_of"] else None
        except ValueError as exc:
            raise CommandError(f"--as-of: '{opts['as_of']}' is not a date (YYYY-MM-DD)") from exc
        if opts["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        for firm in firms:
            day = as_of or firm_local_date(firm=firm, now=timezone.now())
            self._run_firm(firm, day, opts)

    def _run_firm(self, firm: Firm, as_of: dt.date, opts: dict) -> None:
        # Celery's live setting, not Django's: tests and operators may run tasks in-process.
        eager = app.conf.task_always_eager
        started = time.perf_counter()
        run, chunk_ids = run_start(
            firm=firm,
            as_of=as_of,
            trigger=RunTrigger.COMMAND,
            account_numbers=opts["accounts"],
            chunk_size=opts["chunk_size"],
            enqueue=None if eager else enqueue_chunks,
        )
        self.stdout.write(f"{firm.slug} {as_of}: run {run.pk}, {len(chunk_ids)} chunk(s) to do")
        show = not opts["no_progress"]
        self._shown: int | None = None
        if eager:
            for chunk_id in chunk_ids:
                chunk_process(firm_id=firm.pk, chunk_id=chunk_id)
                if show:
                    self._progress(firm, run, started)
        else:
            while self._pending(firm, run):
                if show:
                    self._progress(firm, run, started)
                time.sleep(0.5)
        if show:
            self._progress(firm, run, started)
            self.stdout.write("")
        with firm_scope(firm):
            self._summary(firm, Run.objects.get(pk=run.pk), started)

    def _pending(self, firm: Firm, run: Run) -> bool:
        with firm_scope(firm):
            return RunChunk.objects.filter(run=run).exclude(status=ChunkStatus.DONE).exists()

    def _progress(self, firm: Firm, run: Run, started: float) -> None:
        """Redraw the bar, once per change of the count done (a log shows each count once)."""
        with firm_scope(firm):
            progress = run_progress(firm=firm, run=Run.objects.get(pk=run.pk))
        if progress["done"] == self._shown:
            return
        self._shown = progress["done"]
        self.stdout.write(_bar(progress["done"], progress["total"], started), ending="")
        self.stdout.flush()

    def _summary(self, firm: Firm, run: Run, started: float) -> None:
        elapsed = time.perf_counter() - started
        proposals = Proposal.objects.for_firm(firm).filter(as_of=run.as_of)
        statuses = Counter(proposals.values_list("status", flat=True))
        flags = Counter(f for row in proposals.values_list("flags", flat=True) for f in row)
        self.stdout.write(
            f"run {run.pk} {run.status}: {sum(statuses.values())} proposals in {elapsed:.1f}s"
        )
        for status, count in sorted(statuses.items()):
            self.stdout.write(f"  {status:<15} {count}")
        if flags:
            self.stdout.write("  flags: " + ", ".join(f"{k} {v}" for k, v in sorted(flags.items())))
        for number, message in proposals.filter(status="failed").values_list(
            "account__account_number", "message"
        )[:10]:
            self.stdout.write(f"  failed {number}: {message}")
