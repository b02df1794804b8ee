"""The Schedule D valuation's scout (`optimizer/tax_solve.py`): in a mid-size taxable account
its first answer, which only tells which piece of Schedule D the account lands in, takes its
wash-sale directions from Lagrangian prices alone. The answer kept must be the one a full
first solve leads to, both where the account stays in its piece (solved in full at its
rates) and where it moves (solved again at the midpoint's rates)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from optimizer import parse_case
from optimizer.objective import Solved, completed, solve_within_limit
from optimizer.prepare import Prepared, prepare, revalued
from optimizer.tax_solve import solve_valued
from optimizer.tax_value import resolved_rates
from tests.optimizer.mid_size import mid_size_case

STAYS = {"realized_short_term": "400000", "realized_long_term": "400000"}
"""Gains far larger than any harvest tonight: the filer stays in its piece."""
MOVES: dict[str, str] = {}
"""No gains this year: a harvest past $3,000 of net loss moves the filer into the piece
whose losses are only carried forward."""


def full_first_solve(prep: Prepared) -> tuple[Prepared, Solved]:
    """The valuation as it was before the scout: the first answer solved with the
    perspective relaxation and its trials, finished where it is kept."""
    first = solve_within_limit(prep=prep, complete=False)
    sold = first.x[first.problem.layout.s]
    gain = prep.lot_gain_ratio * sold * prep.value
    rates = resolved_rates(
        prep.case.preferences.tax,
        short=float(gain[prep.lot_is_short].sum()),
        long=float(gain[~prep.lot_is_short].sum()),
    )
    if rates is None:
        return prep, completed(first)
    again = revalued(prep, rates=rates)
    return again, solve_within_limit(prep=again)


def schedule_d_case(seed: int, schedule_d: dict[str, str]) -> Prepared:
    raw = mid_size_case(random.Random(seed), account_id=f"SCOUT{seed}")
    raw["preferences"]["tax"] = {
        "short_term_rate": "0.37",
        "long_term_rate": "0.20",
        "schedule_d": schedule_d,
    }
    return prepare(case=parse_case(raw))


@pytest.mark.parametrize(("seed", "schedule_d", "moves"), [(3, STAYS, False), (3, MOVES, True)])
def test_the_scouted_valuation_keeps_the_full_first_solves_answer(
    seed: int, schedule_d: dict[str, str], moves: bool
) -> None:
    prep = schedule_d_case(seed, schedule_d)
    # the account is one the scout runs on: its first answer's directions are a scout's
    assert solve_within_limit(prep=prep, complete=False, scout=True).scouted
    kept_prep, kept = solve_valued(prep=prep)
    reference_prep, reference = full_first_solve(prep)

    assert (kept_prep is not prep) is moves
    assert (reference_prep is not prep) is moves
    assert kept.problem.layout.n >= 20 and kept.problem.layout.n_wash > 3  # a mid-size search
    np.testing.assert_allclose(kept.x, reference.x, rtol=0, atol=1e-9)
    assert kept.lower_bound == pytest.approx(reference.lower_bound, abs=1e-9)
