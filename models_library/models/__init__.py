from .portfolios import ModelLine, ModelPortfolio, ModelVersion, VersionStatus
from .prices import FirmPrice, HeldPrice, HeldStatus
from .securities import Price, Security, SecurityType

__all__ = [
    "FirmPrice",
    "HeldPrice",
    "HeldStatus",
    "ModelLine",
    "ModelPortfolio",
    "ModelVersion",
    "Price",
    "Security",
    "SecurityType",
    "VersionStatus",
]
