"""Every worked example in ``../shared/cases/lots`` (IRS Pub 550, Treas. Reg. 1.1091, ...).

Compared as that folder's README says: lots and rows are summed by id, because the
contract lets them be split into pieces; money to the cent with a tolerance of 0.01
plus 0.005 for each extra piece or row summed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from lot_engine import LotEngineInputError, run

CASES_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "cases" / "lots"
CASE_FILES = sorted(CASES_DIR.glob("*.json")) if CASES_DIR.is_dir() else []


def _tolerance(pieces: int) -> Decimal:
    return Decimal("0.01") + Decimal("0.005") * max(pieces - 1, 0)


def _assert_money(actual: Decimal, expected: str, *, pieces: int, what: str) -> None:
    assert abs(actual - Decimal(expected)) <= _tolerance(pieces), (
        f"{what}: got {actual}, expected {expected}"
    )


def _check_totals(output: dict, expected: dict) -> None:
    for key, value in expected.items():
        _assert_money(Decimal(output["totals"][key]), value, pieces=1, what=f"totals.{key}")


def _check_open_lots(output: dict, expected: dict) -> None:
    by_id: dict[str, list[dict]] = defaultdict(list)
    for lot in output["lots"]:
        by_id[lot["id"]].append(lot)
    assert set(by_id) == set(expected), f"open lots {sorted(by_id)} != {sorted(expected)}"
    for lot_id, want in expected.items():
        pieces = by_id[lot_id]
        for key in ("account", "symbol", "acquired"):
            if key in want:
                assert {p[key] for p in pieces} == {want[key]}, f"lot {lot_id}.{key}"
        quantity = sum(Decimal(p["quantity"]) for p in pieces)
        assert quantity == Decimal(want["quantity"]), f"lot {lot_id}.quantity"
        basis = sum((Decimal(p["cost_basis"]) for p in pieces), Decimal(0))
        _assert_money(basis, want["cost_basis"], pieces=len(pieces), what=f"lot {lot_id}.basis")
        starts: dict[str, Decimal] = defaultdict(Decimal)
        for p in pieces:
            starts[p["holding_period_start"]] += Decimal(p["quantity"])
        assert dict(starts) == {d: Decimal(q) for d, q in want["holding_period_start"].items()}, (
            f"lot {lot_id}.holding_period_start"
        )


def _sum_rows(rows: list[dict], *, what: str, want: dict) -> None:
    quantity = sum(Decimal(r["quantity"]) for r in rows)
    assert quantity == Decimal(want["quantity"]), f"{what}.quantity"
    for key in ("gain", "disallowed_loss"):
        if key in want:
            total = sum((Decimal(r[key]) for r in rows), Decimal(0))
            _assert_money(total, want[key], pieces=len(rows), what=f"{what}.{key}")


def _check_sales(output: dict, expected: dict) -> None:
    by_sale: dict[str, list[dict]] = defaultdict(list)
    for row in output["realized"]:
        by_sale[row["sale"]].append(row)
    for sale_id, want in expected.items():
        rows = by_sale[sale_id]
        assert rows, f"sale {sale_id} has no realized rows"
        _sum_rows(rows, what=f"sale {sale_id}", want=want)
        terms = {r["term"] for r in rows}
        assert terms == set(want.get("by_term", terms)), f"sale {sale_id} terms"
        for term_name, term_want in want.get("by_term", {}).items():
            term_rows = [r for r in rows if r["term"] == term_name]
            _sum_rows(term_rows, what=f"sale {sale_id}.{term_name}", want=term_want)
        by_lot: dict[str, Decimal] = defaultdict(Decimal)
        for r in rows:
            by_lot[r["lot"]] += Decimal(r["quantity"])
        if "by_lot" in want:
            assert dict(by_lot) == {k: Decimal(v) for k, v in want["by_lot"].items()}, (
                f"sale {sale_id}.by_lot"
            )


@pytest.mark.skipif(not CASE_FILES, reason="../shared/cases/lots is not present")
@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_shared_case(path: Path) -> None:
    case = json.loads(path.read_text(), parse_float=Decimal)
    expected = case["expected"]
    if expected.get("exit_status", 0) == 2:
        with pytest.raises(LotEngineInputError):
            run(case["input"])
        return
    output = run(case["input"])
    _check_totals(output, expected.get("totals", {}))
    if "open_lots" in expected:
        _check_open_lots(output, expected["open_lots"])
    _check_sales(output, expected.get("sales", {}))
