from .portfolios import ModelAssignment, ModelLine, ModelPortfolio, ModelVersion, VersionStatus
from .securities import Price, Security, SecurityType

__all__ = [
    "ModelAssignment",
    "ModelLine",
    "ModelPortfolio",
    "ModelVersion",
    "Price",
    "Security",
    "SecurityType",
    "VersionStatus",
]
