"""The household lines of ``bench_optimizer``: a 3-account ETF household (12 funds each)
and a 500-stock taxable account with two ETF IRAs, solved as one problem each
(`optimizer/household.py`), median wall and CPU milliseconds against their targets."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from optimizer.household import optimize_household
from optimizer.household_synthetic import direct_index_household, etf_household

TARGETS_MS = (("3-account ETF household", 10.0), ("500-stock + 2 ETF IRAs", 150.0))


def _timed(run: Callable[[], Any], *, repeat: int) -> tuple[float, float]:
    run()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def household_lines(*, repeat: int) -> list[str]:
    """One printed line per household."""
    lines = [f"{'household':<26} {'lots':>5} | {'ms wall / cpu':>17} | status  | target"]
    for (label, target_ms), household in zip(
        TARGETS_MS, (etf_household(), direct_index_household()), strict=True
    ):
        result = optimize_household(household)
        wall, cpu = _timed(partial(optimize_household, household), repeat=repeat)
        lots = sum(len(case.lots) for case in household.accounts)
        verdict = "met" if cpu <= target_ms else "missed"
        lines.append(
            f"{label:<26} {lots:>5} | {wall:>7.1f} / {cpu:>7.1f} | {result.status:<7} | "
            f"<= {target_ms:.0f} ms: {verdict}"
        )
    return lines
