from .accounts import Account, RegistrationType, TaxStatus
from .assignments import ModelAssignment
from .held_away import HeldAwayAccount, HeldAwayPosition, HeldAwaySide, HeldAwayTransaction
from .households import Client, Household
from .preferences import (
    CashWithdrawal,
    GainCapScope,
    LotReliefMethod,
    PreferenceSet,
    Restriction,
    RestrictionType,
    Screen,
    ScreenField,
    Substitution,
    TaxSensitivity,
    WithdrawalFrequency,
)

__all__ = [
    "Account",
    "CashWithdrawal",
    "Client",
    "HeldAwayAccount",
    "HeldAwayPosition",
    "HeldAwaySide",
    "HeldAwayTransaction",
    "Household",
    "ModelAssignment",
    "GainCapScope",
    "LotReliefMethod",
    "PreferenceSet",
    "RegistrationType",
    "Restriction",
    "RestrictionType",
    "Screen",
    "ScreenField",
    "Substitution",
    "TaxSensitivity",
    "TaxStatus",
    "WithdrawalFrequency",
]
