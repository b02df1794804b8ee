from .cash import CashBalance
from .lots import RealizedGain, TaxLot, Term
from .transactions import Transaction, TransactionType

__all__ = [
    "CashBalance",
    "RealizedGain",
    "TaxLot",
    "Term",
    "Transaction",
    "TransactionType",
]
