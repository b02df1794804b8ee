"""The Lagrangian bound's blocks (`optimizer/lagrangian.py`): at any prices, each security's
block is minimized exactly, so the bound is as high as those prices allow.

A block's value is its one-dimensional dual at the multiplier mu its Newton steps stop at;
that is a lower bound on the block's minimum wherever they stop, and equal to it only where
the block's row holds (slope zero). Here the 500-stock account's blocks, at the prices the
ascent starts from and at the prices it moves to, must end with every row met and every
value equal to the block's own objective at its minimizer.
"""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.lagrangian import (
    _shared,
    block_minima,
    multiplier_range,
    multipliers_from,
    priced_blocks,
)
from optimizer.prepare import prepare
from optimizer.problem import base_bounds, build_problem
from optimizer.synthetic import direct_index_account

ROW_TOLERANCE = 1e-11
"""Fractions of the account: a block's row u - b + sum(s) = a, met to this."""


@pytest.mark.parametrize("seed", [0, 1, 5])
def test_every_block_of_a_500_stock_account_is_minimized_exactly(seed: int) -> None:
    # given: the account's blocks at the prices read off no trades, then at prices moved
    problem = build_problem(prep=prepare(case=direct_index_account(seed=seed)))
    bounds = base_bounds(problem=problem)
    low, high = multiplier_range(problem=problem, bounds=bounds)
    fixed, scale = _shared(problem=problem, bounds=bounds)
    lam0 = np.clip(multipliers_from(problem=problem, x=np.zeros(problem.layout.size)), low, high)
    rng = np.random.default_rng(seed)
    moved = np.clip(lam0 + rng.normal(scale=1e-3, size=lam0.size) / scale, low, high)
    coupling = problem.qp.A[problem.layout.n :, :]

    for lam in (lam0, moved):
        blocks = priced_blocks(problem=problem, fixed=fixed, c=problem.qp.q + coupling.T @ lam)

        # when: from no start, then warm from the first answer's multipliers
        first = block_minima(blocks, start=None)
        again = block_minima(blocks, start=first[4])

        # then
        for value, u, b, s, _ in (first, again):
            sold = np.bincount(blocks.lot_block, weights=s, minlength=len(blocks.a))
            row = u - b + sold - blocks.a
            assert np.abs(row).max() <= ROW_TOLERANCE
            objective = (
                0.5 * blocks.p_u * u * u
                + blocks.c_u * u
                + 0.5 * blocks.p_b * b * b
                + blocks.c_b * b
                + np.bincount(
                    blocks.lot_block,
                    weights=0.5 * blocks.p_s * s * s + blocks.c_s * s,
                    minlength=len(blocks.a),
                )
            )
            # the dual equals the primal at a feasible minimizer: the block's minimum
            assert np.abs(value - objective).max() <= 1e-12
