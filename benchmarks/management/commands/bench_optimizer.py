"""``python manage.py bench_optimizer [--repeat N] [--memory N]``: optimizer speed and memory.

Prints one table, measured in this run: a 12-ETF account with about 50 lots and a
500-stock direct-index account with 2,000 lots (a 30-factor risk model), then the
household lines (`benchmarks/household_lines.py`). Per account: our
end-to-end time (parse excluded: the nightly run hands over typed data; both solves,
rounding, lot relief, reasons, the certificate and decimal output included; explanations
off, then on), the raw solver time (Clarabel on the relaxation, PIQP on the directed
problem; in the fund account, PIQP on each QP of its exact search) on the same
matrices, and a naive cvxpy build-and-solve of the same two problems.
Times are medians, wall clock and CPU; on a loaded machine the CPU column is the steadier
one. The target is judged on the explained CPU time (the nightly run explains every
proposal, and the targets include the certificate and the explanation), the speed-up on
the unexplained one (naive cvxpy explains nothing). ``--memory N`` then solves N accounts
in a row and prints the resident set size at the start, middle and end.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import piqp
from django.core.management.base import BaseCommand, CommandParser

from benchmarks.household_lines import household_lines
from optimizer import optimize_account
from optimizer.cvx_model import cvx_problem
from optimizer.exact_directions import exact_directions
from optimizer.perspective import perspective_relaxation
from optimizer.prepare import prepare
from optimizer.problem import base_bounds, build_problem
from optimizer.relaxation import (
    BRANCH_FROM_SECURITIES,
    ENUMERATE_UP_TO,
    PERSPECTIVE_UP_TO,
    directed_bounds,
    solve_completely,
)
from optimizer.solvers import QP, Bounds, QPSession, Solution
from optimizer.synthetic import direct_index_account, etf_account
from optimizer.types import Case

MEMORY_LIMIT_MB = 500


def _timed(run: Callable[[], Any], *, repeat: int) -> tuple[float, float]:
    """Median (wall ms, CPU ms) over `repeat` runs, after one warm-up."""
    run()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def _raw_solvers(case: Case) -> Callable[[], None]:
    """The solvers alone (matrices prebuilt): Clarabel on the perspective relaxation (the
    lower bound; only where the optimizer runs it) and PIQP on the directed problem; in a
    fund account, PIQP on each QP of its exact search (`optimizer/exact_directions.py`)."""
    problem = build_problem(prep=prepare(case=case))
    base = base_bounds(problem=problem)
    lay = problem.layout
    fund = lay.n < BRANCH_FROM_SECURITIES and lay.n_wash > ENUMERATE_UP_TO
    if fund:
        recording = _Recording(qp=problem.qp)
        exact_directions(problem=problem, session=recording, bounds=base)
        solved = recording.solved
    else:
        directions = solve_completely(
            problem=problem, session=QPSession(qp=problem.qp), bounds=base
        ).directions
        solved = [directed_bounds(problem=problem, bounds=base, directions=directions)]
    qp = problem.qp
    relax = not fund and lay.n_wash > ENUMERATE_UP_TO and lay.size <= PERSPECTIVE_UP_TO

    def run() -> None:
        if relax:
            perspective_relaxation(problem=problem, bounds=base)
        solver = piqp.SparseSolver()
        first = solved[0]
        solver.setup(qp.P, qp.q, qp.A, qp.b, None, None, None, first.x_l, first.x_u)
        solver.solve()
        for bounds in solved[1:]:
            solver.update(x_l=bounds.x_l, x_u=bounds.x_u)
            solver.solve()

    return run


class _Recording(QPSession):
    """A session that keeps the bounds of every QP it is asked to solve."""

    def __init__(self, *, qp: QP) -> None:
        super().__init__(qp=qp)
        self.solved: list[Bounds] = []

    def solve(self, *, bounds: Bounds, remember: bool = True) -> Solution:
        self.solved.append(bounds)
        return super().solve(bounds=bounds, remember=remember)


def _naive_cvxpy(case: Case) -> Callable[[], None]:
    """cvxpy builds and solves the relaxation and the directed problem from scratch."""

    def run() -> None:
        problem = build_problem(prep=prepare(case=case))
        relaxed, _, _ = cvx_problem(problem=problem, directions=None)
        relaxed.solve(solver="CLARABEL")
        directions = np.ones(problem.layout.n_wash, dtype=int)
        fixed, _, _ = cvx_problem(problem=problem, directions=directions)
        fixed.solve(solver="PIQP")

    return run


def _pair(times: tuple[float, float]) -> str:
    return f"{times[0]:>6.1f} / {times[1]:>6.1f}"


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Command(BaseCommand):
    help = "Benchmark the optimizer: a 12-ETF and a 500-stock account, and optional memory."
    requires_system_checks: list[str] = []  # pure computation: no database, URLs or apps

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=15, help="timed runs per figure")
        parser.add_argument("--memory", type=int, default=0, help="accounts to solve in a row")

    def handle(self, *args: Any, **options: Any) -> None:
        repeat = max(1, options["repeat"])
        rows = []
        for label, case, target_ms in (
            ("12-ETF", etf_account(), 3.0),
            ("500-stock", direct_index_account(), 50.0),
        ):
            ours = _timed(partial(optimize_account, case, explain=False), repeat=repeat)
            explained = _timed(partial(optimize_account, case), repeat=repeat)
            raw = _timed(_raw_solvers(case), repeat=repeat)
            naive = _timed(_naive_cvxpy(case), repeat=max(1, repeat // 3))
            rows.append((label, case, target_ms, ours, explained, raw, naive))
        self._table(rows)
        for line in household_lines(repeat=max(1, repeat // 3), timed=_timed):
            self.stdout.write(line)
        if options["memory"]:
            self._memory(count=options["memory"])

    def _table(self, rows: list) -> None:
        self.stdout.write(
            f"{'account':<10} {'secs':>5} {'lots':>5} | {'ours ms':>15} | {'+explain ms':>15} | "
            f"{'raw solvers ms':>15} | {'naive cvxpy ms':>15} | {'vs naive':>8} | "
            "target (+explain cpu)"
        )
        self.stdout.write(
            f"{'':<22} | {'wall / cpu':>15} | {'wall / cpu':>15} | "
            f"{'wall / cpu':>15} | {'wall / cpu':>15} | {'(cpu)':>8} |"
        )
        for label, case, target_ms, ours, explained, raw, naive in rows:
            speedup = naive[1] / ours[1] if ours[1] > 0 else float("inf")
            verdict = "met" if explained[1] <= target_ms and speedup >= 3 else "missed"
            self.stdout.write(
                f"{label:<10} {len(case.securities):>5} {len(case.lots):>5} | "
                f"{_pair(ours)} | {_pair(explained)} | {_pair(raw)} | {_pair(naive)} | "
                f"{speedup:>7.1f}x | <= {target_ms:.0f} ms, >= 3x: {verdict}"
            )

    def _memory(self, *, count: int) -> None:
        marks = {0: "start", count // 2: "middle", count - 1: "end"}
        readings = []
        for k in range(count):
            case = etf_account(seed=k % 50, account_id=f"MEM-{k}")
            optimize_account(case)
            if k in marks:
                readings.append(_rss_mb())
                self.stdout.write(
                    f"memory {marks[k]:>6} after {k + 1:>6} accounts: {readings[-1]:.1f} MB RSS"
                )
        growth = readings[-1] - readings[min(1, len(readings) - 1)]
        ok = max(readings) < MEMORY_LIMIT_MB and growth < 20
        self.stdout.write(
            f"memory: peak {max(readings):.1f} MB, growth middle->end "
            f"{growth:+.1f} MB: {'ok' if ok else 'TOO HIGH'}"
        )
