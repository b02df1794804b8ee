"""The contract both ways: a typed case written out and read back is the same case, and so
is an answer."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from optimizer import case_to_dict, optimize_account, parse_case, result_from_dict, result_to_dict
from optimizer.synthetic import etf_account
from optimizer.types import Lots

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases" / "optimize"


def _shared_inputs() -> list[dict]:
    if not CASES.exists():
        pytest.skip(f"{CASES} is absent")
    return [json.loads(p.read_text())["input"] for p in sorted(CASES.glob("*.json"))]


def test_every_shared_case_survives_a_round_trip() -> None:
    for data in _shared_inputs():
        case = parse_case(data)

        assert parse_case(case_to_dict(case)) == case
        assert parse_case(json.loads(json.dumps(case_to_dict(case)))) == case


def test_a_built_case_with_dated_restrictions_survives_a_round_trip() -> None:
    # given a typed case built in code, with wash-sale events and a dated restriction
    data = _shared_inputs()[0]
    data["preferences"] = dict(data.get("preferences") or {})
    symbol = next(iter(data["securities"]))
    data["preferences"]["restrictions"] = [
        {"symbol": symbol, "type": "hold", "start": "2025-01-01", "end": "2025-12-31"}
    ]
    case = parse_case(data)
    built = dataclasses.replace(etf_account(), risk_model=None)

    # when / then
    assert parse_case(case_to_dict(case)) == case
    assert parse_case(case_to_dict(built)) == built


def test_equality_sees_a_decimals_exponent_and_each_column() -> None:
    case = dataclasses.replace(etf_account(), risk_model=None)
    lots = case.lots
    quantity = lots.quantity.copy()
    quantity[0] = quantity[0] + Decimal("0.0")
    other = dataclasses.replace(case, lots=dataclasses.replace(lots, quantity=quantity))
    columns = ("id", "symbol", "quantity", "cost_basis", "acquired")
    shorter = dataclasses.replace(case, lots=Lots(**{c: getattr(lots, c)[1:] for c in columns}))

    assert other.lots.quantity[0] == case.lots.quantity[0]
    assert other != case  # equal values, but 10 and 10.0 print differently in an answer
    assert shorter != case
    assert dataclasses.replace(case) == case


def test_every_shared_answer_survives_a_round_trip() -> None:
    for data in _shared_inputs():
        result = optimize_account(data)

        assert result_from_dict(result_to_dict(result)) == result
