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
