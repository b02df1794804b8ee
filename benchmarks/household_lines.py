"""The household lines of ``bench_optimizer``: a 3-account ETF household (12 funds each)
and a 500-stock taxable account with two ETF IRAs, solved as one problem each
(`optimizer/household.py`), median wall and CPU milliseconds against their targets."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from optimizer.household import optimize_household
from optimizer.household_synthetic import direct_index_household, etf_household

TARGETS_MS = (("3-account ETF household", 10.0), ("500-stock + 2 ETF IRAs", 150.0))


Timer = Callable[..., tuple[float, float]]


def household_lines(*, repeat: int, timed: Timer) -> list[str]:
    """One printed line per household; `timed(run, repeat=N)` gives median (wall, CPU) ms."""
    lines = [f"{'household':<26} {'lots':>5} | {'ms wall / cpu':>17} | status  | target"]
    for (label, target_ms), household in zip(
        TARGETS_MS, (etf_household(), direct_index_household()), strict=True
    ):
        result = optimize_household(household)
        wall, cpu = timed(partial(optimize_household, household), repeat=repeat)
        lots = sum(len(case.lots) for case in household.accounts)
        verdict = "met" if cpu <= target_ms else "missed"
        lines.append(
            f"{label:<26} {lots:>5} | {wall:>7.1f} / {cpu:>7.1f} | {result.status:<7} | "
            f"<= {target_ms:.0f} ms: {verdict}"
        )
    return lines
