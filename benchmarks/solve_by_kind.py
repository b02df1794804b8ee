"""Where the nightly run's solve time goes, by kind of account: a sample of the book's
accounts built as the nightly run builds them and solved one by one in this process
(each alone, including those a managed household solves together), timed in CPU.

A fund account's target holds fewer than `DIRECT_INDEX_MIN_SECURITIES` securities, a
direct index as many or more; each split by tax status. For each kind: its share of the
sample's accounts, the mean and 90th-percentile solve time, and its share of the sample's
solve time: the kinds worth making faster first.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from accounts.models import Account
from firms.models import Firm
from optimizer import optimize_account
from rebalancer.rowsecurity import firm_scope
from trading.optimization import DataProblem, case_for_account
from trading.selectors.run_inputs import chunk_inputs

DIRECT_INDEX_MIN_SECURITIES = 30


@dataclass(frozen=True)
class KindTimes:
    kind: str
    seconds: tuple[float, ...]

    def line(self, *, accounts: int, total: float) -> str:
        ms = np.array(self.seconds) * 1000
        return (
            f"  {self.kind:<28}{len(ms):6d} ({100 * len(ms) / accounts:3.0f} %)"
            f"  mean {ms.mean():7.1f} ms  p90 {np.percentile(ms, 90):7.1f} ms"
            f"  {100 * ms.sum() / 1000 / total:4.0f} % of solve time"
        )


def solve_times_by_kind(*, firm: Firm, as_of: dt.date, sample: int) -> list[KindTimes]:
    """Solve `sample` of the firm's active accounts (every k-th, by id) and time each."""
    with firm_scope(firm):
        ids = list(
            Account.objects.filter(firm=firm, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        step = max(1, len(ids) // max(sample, 1))
        chunk = chunk_inputs(firm=firm, account_ids=ids[::step][:sample], as_of=as_of)
    times: dict[str, list[float]] = defaultdict(list)
    for item in chunk.accounts:
        try:
            case = case_for_account(item, chunk)
        except DataProblem:
            continue
        kind = "direct index" if len(case.target) >= DIRECT_INDEX_MIN_SECURITIES else "fund"
        started = time.process_time()
        optimize_account(case)
        times[f"{kind}, {case.tax_status}"].append(time.process_time() - started)
    return [KindTimes(kind=k, seconds=tuple(v)) for k, v in sorted(times.items())]


def by_kind_lines(rows: list[KindTimes]) -> list[str]:
    accounts = sum(len(r.seconds) for r in rows)
    total = sum(sum(r.seconds) for r in rows)
    if not accounts:
        return ["  no account could be built"]
    mean = 1000 * total / accounts
    return [
        *(r.line(accounts=accounts, total=total) for r in rows),
        f"  {'all':<28}{accounts:6d}        mean {mean:7.1f} ms",
    ]
