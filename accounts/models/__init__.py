from .accounts import Account, RegistrationType, TaxStatus
from .audit import AuditEvent
from .firms import Firm, Membership, Role
from .households import Client, Household
from .preferences import (
    CashWithdrawal,
    LotReliefMethod,
    PreferenceSet,
    Restriction,
    RestrictionType,
    Screen,
    ScreenField,
    Substitution,
    WithdrawalFrequency,
)

__all__ = [
    "Account",
    "AuditEvent",
    "CashWithdrawal",
    "Client",
    "Firm",
    "Household",
    "LotReliefMethod",
    "Membership",
    "PreferenceSet",
    "RegistrationType",
    "Restriction",
    "RestrictionType",
    "Role",
    "Screen",
    "ScreenField",
    "Substitution",
    "TaxStatus",
    "WithdrawalFrequency",
]
