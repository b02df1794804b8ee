from .accounts import Account, RegistrationType, TaxStatus
from .assignments import ModelAssignment
from .client_rules import (
    CashWithdrawal,
    Restriction,
    RestrictionType,
    Screen,
    ScreenField,
    Substitution,
    WithdrawalFrequency,
)
from .held_away import HeldAwayAccount, HeldAwayPosition, HeldAwaySide, HeldAwayTransaction
from .households import Client, Household
from .preference_choices import GainCapScope, LotReliefMethod, TaxSensitivity
from .preferences import PreferenceSet

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
