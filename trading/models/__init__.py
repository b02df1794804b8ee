from .blotters import Blotter, BlotterStatus, Fill, Order
from .cash import CashBalance
from .corporate_actions import CorporateActionApplication
from .gifts import GiftStatus, PlannedGift
from .household_proposals import HouseholdProposal, HouseholdProposalStatus
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
from .reconciliation import Reconciliation, ReconciliationStatus
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
    "CorporateActionApplication",
    "GiftStatus",
    "PlannedGift",
    "HouseholdProposal",
    "HouseholdProposalStatus",
    "RealizedGain",
    "Reconciliation",
    "ReconciliationStatus",
    "TaxLot",
    "Term",
    "Transaction",
    "TransactionType",
]
