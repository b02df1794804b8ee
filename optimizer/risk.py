"""Tracking error from a factor risk model, without ever forming the n x n covariance.

For active weights d (post-trade weights minus the published model's, fractions of the
account), the annualized tracking variance is

    d' (B F B' + D) d = || L' B' d ||^2 + sum_i D_i d_i^2,    F = L L' (Cholesky)

and the tracking error is its square root (a fraction; x 100 for %/yr).

Without a stored model the optimizer uses `fallback_model`: one factor per asset class,
each with variance 0.04 (20 %/yr) and uncorrelated with the others, a loading of 1 on the
security's own class, and a specific variance of 0.0625 (25 %/yr) for a security with a
GICS sector (a stock) or 0.0025 (5 %/yr) for one without (a fund). A security that a
stored model does not cover gets no factor loadings and the model's largest specific
variance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.types import RiskModel, Securities

RISK_PRICE = 25.0
"""What a unit of annual tracking variance costs, as a fraction of the account, at risk
aversion 1: a tracking error of 1 %/yr held is worth 25 bp of the account (see
`objective.py`)."""
FALLBACK_ID = "fallback:asset-class"
FALLBACK_CLASS_VARIANCE = 0.04
FALLBACK_STOCK_SPECIFIC_VARIANCE = 0.0625
FALLBACK_FUND_SPECIFIC_VARIANCE = 0.0025
_JITTER = 1e-12


def factor_root(covariance: np.ndarray) -> np.ndarray:
    """L with L L' = F for a symmetric positive semidefinite F: its Cholesky factor, or,
    when F is singular, the square root from its eigenvalues (negative rounding noise
    clipped to zero)."""
    F = np.asarray(covariance, dtype=float)
    if F.shape[0] == 0:
        return np.zeros((0, 0))
    try:
        root: np.ndarray = np.linalg.cholesky(F + _JITTER * np.eye(F.shape[0]))
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(F)
        root = vectors * np.sqrt(np.clip(values, 0.0, None))
    return root


def tracking_variance(active: np.ndarray, model: RiskModel) -> float:
    """d' (B F B' + D) d for active weights d in the order of `model.symbols`."""
    d = np.asarray(active, dtype=float)
    exposure = factor_root(model.factor_covariance).T @ (model.loadings.T @ d)
    return float(exposure @ exposure + np.sum(model.specific_variance * d * d))


def tracking_error(active: np.ndarray, model: RiskModel) -> float:
    """Annualized tracking error (a fraction) of active weights d in the order of
    `model.symbols`."""
    return float(np.sqrt(max(0.0, tracking_variance(active, model))))


@dataclass(frozen=True)
class AlignedModel:
    """A model's numbers in a case's security order: `exposure` = B L (n x F, so that the
    factor part of the variance is || exposure' d ||^2) and `specific` = D (n)."""

    model_id: str
    exposure: np.ndarray
    specific: np.ndarray

    def variance(self, active: np.ndarray) -> float:
        d = np.asarray(active, dtype=float)
        f = self.exposure.T @ d
        return float(f @ f + np.sum(self.specific * d * d))

    def tracking_error(self, active: np.ndarray) -> float:
        return float(np.sqrt(max(0.0, self.variance(active))))


def aligned(model: RiskModel, symbols: tuple[str, ...]) -> AlignedModel:
    """The model's rows for `symbols` (in that order), with the Cholesky factor applied;
    symbols the model does not cover get no loadings and its largest specific variance."""
    rows = np.array([model.position.get(s, -1) for s in symbols], dtype=int)
    known = rows >= 0
    n_factors = len(model.factors)
    exposure = np.zeros((len(symbols), n_factors))
    if n_factors and known.any():
        exposure[known] = model.loadings[rows[known]] @ factor_root(model.factor_covariance)
    source = np.asarray(model.specific_variance, dtype=float)
    missing = float(source.max()) if len(source) else FALLBACK_FUND_SPECIFIC_VARIANCE
    specific = np.full(len(symbols), missing)
    specific[known] = source[rows[known]]
    return AlignedModel(model_id=model.id, exposure=exposure, specific=specific)


def fallback_model(securities: Securities) -> RiskModel:
    """The documented built-in model (see the module's docstring) for a case's securities."""
    symbols = tuple(str(s) for s in securities.symbol.tolist())
    classes, column = np.unique(securities.asset_class.astype(str), return_inverse=True)
    loadings = np.zeros((len(symbols), len(classes)))
    loadings[np.arange(len(symbols)), column] = 1.0
    is_stock = np.array([sector is not None for sector in securities.sector.tolist()], dtype=bool)
    return RiskModel(
        id=FALLBACK_ID,
        symbols=symbols,
        factors=tuple(f"asset_class:{name}" for name in classes.tolist()),
        loadings=loadings,
        factor_covariance=np.eye(len(classes)) * FALLBACK_CLASS_VARIANCE,
        specific_variance=np.where(
            is_stock, FALLBACK_STOCK_SPECIFIC_VARIANCE, FALLBACK_FUND_SPECIFIC_VARIANCE
        ),
    )
