from .blotters import Blotter, BlotterStatus, Fill, Order
from .cash import CashBalance
from .lots import RealizedGain, TaxLot, Term
from .proposals import (
    ChunkStatus,
    Proposal,
    ProposalStatus,
    ProposedTrade,
    Run,
    RunChunk,
    RunStatus,
    RunTrigger,
    TradeSide,
)
from .transactions import Transaction, TransactionType

__all__ = [
    "Blotter",
    "BlotterStatus",
    "Fill",
    "Order",
    "ChunkStatus",
    "Proposal",
    "ProposalStatus",
    "ProposedTrade",
    "Run",
    "RunChunk",
    "RunStatus",
    "RunTrigger",
    "TradeSide",
    "CashBalance",
    "RealizedGain",
    "TaxLot",
    "Term",
    "Transaction",
    "TransactionType",
]
