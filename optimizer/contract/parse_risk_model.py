"""A contract case's optional ``risk_model`` section: factor loadings per security,
factor covariance and specific variances, all annualized (checked for shape, symmetry and
positive variances)."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.contract.check import risk_model_problem
from optimizer.contract.reader import Reader
from optimizer.types import (
    RiskModel,
)


def _numbers(reader: Reader, value: Any, field: str, length: int) -> list[float]:
    """A list of exactly `length` finite numbers (JSON numbers or decimal strings)."""
    items = reader.seq(value, field)
    if value is None:
        raise reader.fail(field, "is required")
    if len(items) != length:
        raise reader.fail(field, f"must have {length} numbers (one per factor), not {len(items)}")
    return [float(reader.decimal(item, f"{field}[{k}]")) for k, item in enumerate(items)]


def risk_model_from(*, reader: Reader, value: Any) -> RiskModel | None:
    """The optional `risk_model` section; None when absent."""
    if value is None:
        return None
    raw = reader.obj(value, "risk_model")
    model_id = raw.get("id")
    if model_id is not None and not isinstance(model_id, str):
        raise reader.fail("risk_model.id", "must be a string")
    factors = reader.seq(raw.get("factors"), "risk_model.factors")
    for k, name in enumerate(factors):
        reader.text(name, f"risk_model.factors[{k}]")
    if len(set(factors)) != len(factors):
        raise reader.fail("risk_model.factors", "a factor is named twice")
    n_factors = len(factors)
    rows = reader.seq(raw.get("factor_covariance"), "risk_model.factor_covariance")
    if len(rows) != n_factors:
        raise reader.fail(
            "risk_model.factor_covariance",
            f"must be {n_factors} x {n_factors} (one row per factor), not {len(rows)} rows",
        )
    covariance = np.array(
        [
            _numbers(reader, row, f"risk_model.factor_covariance[{r}]", n_factors)
            for r, row in enumerate(rows)
        ],
        dtype=float,
    ).reshape(n_factors, n_factors)
    securities = reader.obj(raw.get("securities"), "risk_model.securities")
    symbols, loadings, specific = [], [], []
    for symbol, spec in securities.items():
        field = f"risk_model.securities.{symbol}"
        spec = reader.obj(spec, field, required=True)
        symbols.append(symbol)
        loadings.append(_numbers(reader, spec.get("loadings"), f"{field}.loadings", n_factors))
        specific.append(
            float(reader.nonneg(spec.get("specific_variance"), f"{field}.specific_variance"))
        )
    model = RiskModel(
        id=model_id or "",
        symbols=tuple(symbols),
        factors=tuple(factors),
        loadings=np.array(loadings, dtype=float).reshape(len(symbols), n_factors),
        factor_covariance=covariance,
        specific_variance=np.array(specific, dtype=float),
    )
    problem = risk_model_problem(model)
    if problem is not None:
        raise reader.fail(*problem)
    return model
