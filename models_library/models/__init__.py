from .corporate_actions import CorporateAction, CorporateActionKind
from .equivalents import EquivalenceMember, EquivalenceSet
from .portfolios import ModelLine, ModelPortfolio, ModelVersion, VersionStatus
from .prices import FirmPrice, HeldPrice, HeldStatus
from .risk import StoredRiskModel
from .securities import Price, Security, SecurityType

__all__ = [
    "EquivalenceMember",
    "EquivalenceSet",
    "CorporateAction",
    "CorporateActionKind",
    "FirmPrice",
    "HeldPrice",
    "HeldStatus",
    "ModelLine",
    "ModelPortfolio",
    "ModelVersion",
    "Price",
    "Security",
    "SecurityType",
    "StoredRiskModel",
    "VersionStatus",
]
