from .api_keys import ApiKey, ApiScope
from .audit import AuditEvent
from .firms import Firm, Membership, Role
from .four_eyes import FourEyesOffRequest, FourEyesOffStatus
from .idempotency import IdempotencyRecord
from .mfa import MfaDevice, MfaRecoveryCode

__all__ = [
    "ApiKey",
    "ApiScope",
    "AuditEvent",
    "Firm",
    "FourEyesOffRequest",
    "FourEyesOffStatus",
    "IdempotencyRecord",
    "Membership",
    "MfaDevice",
    "MfaRecoveryCode",
    "Role",
]
