from .accounts import Account, RegistrationType, TaxStatus
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
    "CashWithdrawal",
    "Client",
    "Household",
    "LotReliefMethod",
    "PreferenceSet",
    "RegistrationType",
    "Restriction",
    "RestrictionType",
    "Screen",
    "ScreenField",
    "Substitution",
    "TaxStatus",
    "WithdrawalFrequency",
]
