"""A factor risk model estimated from daily prices: market, GICS sectors and a few
statistical factors (a shrunk PCA of what those leave), with factor covariance and specific
variances, exponentially weighted and annualized. Pure: numpy only, no framework, no app."""

from .estimate import EstimatedModel, RiskModelParameters, estimate_risk_model

__all__ = ["EstimatedModel", "RiskModelParameters", "estimate_risk_model"]
