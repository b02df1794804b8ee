"""The optimize contract's `risk_model` and `preferences.risk` sections, and the tracking
error they give."""

from __future__ import annotations

import copy
import dataclasses
import json
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from optimizer import case_to_dict, optimize_account, parse_case
from optimizer.contract import check_case
from optimizer.errors import OptimizerInputError
from optimizer.risk import aligned, fallback_model, tracking_error
from optimizer.synthetic import direct_index_account
from optimizer.types import RiskPreferences


def _case() -> dict[str, Any]:
    return {
        "as_of": "2025-06-30",
        "account": {"id": "RM-1", "cash": "1000"},
        "securities": {
            "AAA": {"price": "10", "asset_class": "us_equity", "sector": "Energy"},
            "BBB": {"price": "20", "asset_class": "us_equity", "sector": "Health Care"},
        },
        "lots": [
            {
                "id": "L1",
                "symbol": "AAA",
                "quantity": "50",
                "cost_basis": "400",
                "acquired": "2024-01-02",
            }
        ],
        "target": {"AAA": "0.5", "BBB": "0.5"},
        "risk_model": {
            "id": "rm-2025-06-30-abcd",
            "factors": ["market", "sector:Energy"],
            "factor_covariance": [[0.04, 0.01], ["0.01", 0.02]],
            "securities": {
                "AAA": {"loadings": [1.0, 1.0], "specific_variance": "0.0441"},
                "BBB": {"loadings": [0.9, 0.0], "specific_variance": 0.03},
                "ZZZ": {"loadings": [1.1, 0.0], "specific_variance": 0.05},
            },
        },
        "preferences": {
            "risk": {
                "tracking_error_limit_pct": "1.0",
                "risk_aversion": 2,
                "min_benefit": "25",
                "sector_limit_pct": None,
                "asset_class_limit_pct": "5",
                "some_future_field": "ignored",
            }
        },
    }


def test_a_risk_model_and_risk_preferences_are_read_typed() -> None:
    case = parse_case(_case())

    model = case.risk_model
    assert model is not None
    assert model.id == "rm-2025-06-30-abcd"
    assert model.symbols == ("AAA", "BBB", "ZZZ")
    assert model.factors == ("market", "sector:Energy")
    assert model.loadings.shape == (3, 2) and model.loadings.dtype == np.float64
    np.testing.assert_array_equal(model.factor_covariance, [[0.04, 0.01], [0.01, 0.02]])
    np.testing.assert_array_equal(model.specific_variance, [0.0441, 0.03, 0.05])
    assert case.preferences.risk == RiskPreferences(
        tracking_error_limit_pct=Decimal("1.0"),
        risk_aversion=Decimal("2"),
        min_benefit=Decimal("25"),
        sector_limit_pct=None,
        asset_class_limit_pct=Decimal("5"),
    )


def test_without_the_new_sections_a_case_reads_as_before() -> None:
    data = _case()
    del data["risk_model"]
    del data["preferences"]

    case = parse_case(data)

    assert case.risk_model is None
    assert case.preferences.risk == RiskPreferences()


def test_a_case_with_a_risk_model_survives_a_round_trip() -> None:
    case = parse_case(_case())
    built = direct_index_account(n_stocks=20, lots_per_stock=1, n_factors=4)

    assert parse_case(json.loads(json.dumps(case_to_dict(case)))) == case
    assert parse_case(json.loads(json.dumps(case_to_dict(built)))) == built
    model = built.risk_model
    assert model is not None
    other = dataclasses.replace(model, specific_variance=model.specific_variance * 1.01)
    assert dataclasses.replace(built, risk_model=other) != built


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda d: d["risk_model"].update(factor_covariance=[[0.04, 0.01]]),
            "risk_model.factor_covariance",
            "2 x 2",
        ),
        (
            lambda d: d["risk_model"].update(factor_covariance=[[0.04, 0.01], [0.02, 0.02]]),
            "risk_model.factor_covariance[0][1]",
            "symmetric",
        ),
        (
            lambda d: d["risk_model"].update(factor_covariance=[[0.04, 0.0], [0.0, -0.01]]),
            "risk_model.factor_covariance[1][1]",
            "negative",
        ),
        (
            lambda d: d["risk_model"].update(factor_covariance=[[0.01, 0.05], [0.05, 0.01]]),
            "risk_model.factor_covariance",
            "positive semidefinite",
        ),
        (
            lambda d: d["risk_model"]["securities"]["BBB"].update(loadings=[1.0]),
            "risk_model.securities.BBB.loadings",
            "must have 2 numbers",
        ),
        (
            lambda d: d["risk_model"]["securities"]["AAA"].update(specific_variance="-0.1"),
            "risk_model.securities.AAA.specific_variance",
            "negative",
        ),
        (
            lambda d: d["risk_model"]["securities"]["AAA"].update(loadings=[1.0, "x"]),
            "risk_model.securities.AAA.loadings[1]",
            "not a decimal",
        ),
        (
            lambda d: d["preferences"]["risk"].update(risk_aversion="0"),
            "preferences.risk.risk_aversion",
            "positive",
        ),
        (
            lambda d: d["preferences"]["risk"].update(tracking_error_limit_pct="-1"),
            "preferences.risk.tracking_error_limit_pct",
            "negative",
        ),
    ],
)
def test_a_broken_risk_section_is_named_in_the_error(change: Any, field: str, words: str) -> None:
    data = copy.deepcopy(_case())
    change(data)

    with pytest.raises(OptimizerInputError) as error:
        parse_case(data)

    assert field in str(error.value)
    assert words in str(error.value)
    result = optimize_account(data)
    assert result.status == "invalid" and field in result.message


def test_a_typed_case_with_a_broken_model_is_refused_by_the_check() -> None:
    case = direct_index_account(n_stocks=10, lots_per_stock=1, n_factors=3)
    model = case.risk_model
    assert model is not None
    covariance = model.factor_covariance.copy()
    covariance[0, 1] = 0.5
    broken = dataclasses.replace(
        case, risk_model=dataclasses.replace(model, factor_covariance=covariance)
    )

    with pytest.raises(OptimizerInputError, match=r"risk_model.factor_covariance\[0\]\[1\]"):
        check_case(broken)
    check_case(case)


def test_tracking_error_matches_the_dense_formula_without_forming_it() -> None:
    rng = np.random.default_rng(3)
    case = direct_index_account(n_stocks=60, lots_per_stock=1, n_factors=5)
    model = case.risk_model
    assert model is not None
    mix = rng.normal(size=(5, 5))
    model = dataclasses.replace(model, factor_covariance=mix @ mix.T * 0.01)
    active = rng.normal(0.0, 0.01, size=60)

    dense = model.loadings @ model.factor_covariance @ model.loadings.T + np.diag(
        model.specific_variance
    )
    expected = float(np.sqrt(active @ dense @ active))

    assert tracking_error(active, model) == pytest.approx(expected, rel=1e-9)
    rows = aligned(model, tuple(reversed(model.symbols)))
    assert rows.tracking_error(active[::-1]) == pytest.approx(expected, rel=1e-9)


def test_a_singular_factor_covariance_still_gives_its_tracking_error() -> None:
    case = direct_index_account(n_stocks=30, lots_per_stock=1, n_factors=3)
    model = case.risk_model
    assert model is not None
    v = np.array([1.0, 2.0, -1.0])
    model = dataclasses.replace(model, factor_covariance=np.outer(v, v) * 0.01)
    active = np.linspace(-0.01, 0.01, 30)
    dense = model.loadings @ model.factor_covariance @ model.loadings.T + np.diag(
        model.specific_variance
    )

    assert tracking_error(active, model) == pytest.approx(np.sqrt(active @ dense @ active))


def test_the_fallback_model_has_one_factor_per_asset_class() -> None:
    case = parse_case(_case())

    model = fallback_model(case.securities)

    assert model.factors == ("asset_class:us_equity",)
    np.testing.assert_array_equal(model.loadings, [[1.0], [1.0]])
    # 10 % of the account moved from one stock to the other: no class exposure changes,
    # only specific risk, 25 %/yr on each stock
    active = np.array([0.1, -0.1])
    assert tracking_error(active, model) == pytest.approx(np.sqrt(2 * 0.01 * 0.0625))
