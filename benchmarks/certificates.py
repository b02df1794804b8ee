"""How close the night's answers came to their own lower bounds: the optimality certificate
(`certificate_gap_bp` in each proposal's summary), for answers that trade, for accounts of
more than `DIRECT_INDEX_FROM` securities in their target (direct index), whose wash-sale
directions the branch-and-bound and the limit's price search choose, and for answers of no
trades: there the gap is what the minimum-benefit rule gives up (the trades it turned down
were worth less than their cost and the account's minimum benefit), not the solver's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from trading.stored_input import unpack_input

DIRECT_INDEX_FROM = 40
WITHIN_BP = 1.0


@dataclass(frozen=True)
class Gaps:
    label: str
    gaps: tuple[float, ...]

    def line(self) -> str:
        if not self.gaps:
            return f"  {self.label:<33}no answer with a certificate"
        within = sum(gap <= WITHIN_BP for gap in self.gaps)
        p50, p90 = np.percentile(self.gaps, [50, 90])
        return (
            f"  {self.label:<33}{within} of {len(self.gaps)} within {WITHIN_BP:g} bp of their "
            f"bound ({100 * within / len(self.gaps):.0f} %); gap p50 {p50:.2f}, p90 {p90:.2f}, "
            f"max {max(self.gaps):.2f} bp"
        )


def certificate_gaps(rows: Iterable[tuple[dict[str, Any] | None, Any]]) -> list[Gaps]:
    """The gaps of answers that trade, of those with more than `DIRECT_INDEX_FROM`
    securities, and of answers of no trades, from (result, input_blob) rows of proposals;
    answers without a certificate (failed, no holdings) are left out."""
    trading: list[float] = []
    direct: list[float] = []
    idle: list[float] = []
    for result, blob in rows:
        summary = (result or {}).get("summary") or {}
        gap = summary.get("certificate_gap_bp")
        if result is None or gap is None or blob is None:
            continue
        if not result.get("trades"):
            idle.append(float(gap))
            continue
        trading.append(float(gap))
        if len(unpack_input(blob).get("target", {})) > DIRECT_INDEX_FROM:
            direct.append(float(gap))
    return [
        Gaps("answers that trade", tuple(trading)),
        Gaps(f"... of more than {DIRECT_INDEX_FROM} securities", tuple(direct)),
        Gaps("no trades (rule's forgone)", tuple(idle)),
    ]
