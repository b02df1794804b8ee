from .accounts import Account, RegistrationType, TaxStatus
from .api_keys import ApiKey, ApiScope
from .audit import AuditEvent
from .firms import Firm, Membership, Role
from .households import Client, Household
from .idempotency import IdempotencyRecord
from .mfa import MfaDevice, MfaRecoveryCode
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
    "ApiKey",
    "ApiScope",
    "AuditEvent",
    "CashWithdrawal",
    "Client",
    "Firm",
    "Household",
    "IdempotencyRecord",
    "LotReliefMethod",
    "Membership",
    "MfaDevice",
    "MfaRecoveryCode",
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
