"""An answer solved in two steps (the price search's first answer, then `completed`) is the
answer solved in one: the Schedule D valuation reads the piece from the first and finishes
only the one it keeps."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from optimizer import parse_case
from optimizer.objective import completed, solve_within_limit
from optimizer.prepare import prepare
from tests.optimizer.mid_size import mid_size_case


def _with_limit(data: dict[str, Any], limit_pct: str) -> dict[str, Any]:
    preferences = dict(data.get("preferences", {}))
    preferences["risk"] = {"tracking_error_limit_pct": limit_pct}
    return {**data, "preferences": preferences}


@pytest.mark.parametrize("limit_pct", ["0.2", "5.0"])
@pytest.mark.parametrize("seed", [3, 7])
def test_finishing_the_first_answer_gives_the_answer_solved_at_once(
    seed: int, limit_pct: str
) -> None:
    # given a mid-size taxable account whose limit binds (0.2 %/yr) or does not (5 %/yr)
    case = parse_case(_with_limit(mid_size_case(random.Random(seed)), limit_pct))
    prep = prepare(case=case)

    # when it is solved at once, and in two steps
    whole = solve_within_limit(prep=prep)
    first = solve_within_limit(prep=prep, complete=False)
    finished = completed(first)

    # then the first answer says whether the limit was priced in, and the finished one is
    # the answer solved at once, with the same bound
    assert (first.unsteered is not None) == (limit_pct == "0.2")
    assert finished.unsteered is None and finished.directed is None
    assert np.allclose(finished.x, whole.x, atol=1e-9)
    assert finished.tracking_error == pytest.approx(whole.tracking_error, abs=1e-12)
    assert finished.lower_bound == pytest.approx(whole.lower_bound, abs=1e-12)
    assert finished.resolves == whole.resolves
