"""Replaying a proposal: run the optimizer again on the exact input it stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from firms.models import Firm
from models_library.selectors.risk_models import RiskModelMissing
from optimizer.contract import SUMMARY_FIGURES, result_from_dict
from optimizer.output import plain
from optimizer.types import OptimizeResult, Trade
from rebalancer.errors import DomainError
from trading.models import Proposal
from trading.optimization import solve_case
from trading.stored_input import canonical_json, unpack_input


@dataclass(frozen=True)
class Replay:
    proposal_id: int
    input_intact: bool
    identical: bool
    differences: list[str]
    result: OptimizeResult


def _trade_key(trade: Trade) -> tuple[str, str]:
    return (trade.symbol, trade.side)


def _differences(stored: OptimizeResult, fresh: OptimizeResult) -> list[str]:
    diffs = []
    if stored.status != fresh.status:
        diffs.append(f"status: stored {stored.status}, replayed {fresh.status}")
    old = {_trade_key(t): t for t in stored.trades}
    new = {_trade_key(t): t for t in fresh.trades}
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        label = f"{key[1]} {key[0]}"
        if a is None and b is not None:
            diffs.append(f"{label}: not in the stored proposal, replayed {plain(b.quantity)}")
        elif b is None and a is not None:
            diffs.append(f"{label}: stored {plain(a.quantity)}, not in the replay")
        elif a is not None and b is not None and a.quantity != b.quantity:
            diffs.append(f"{label}: stored {plain(a.quantity)}, replayed {plain(b.quantity)}")
        elif a is not None and b is not None and a.lots != b.lots:
            diffs.append(f"{label}: same quantity, different lots")
    for name in SUMMARY_FIGURES:
        before = getattr(stored.summary, name, None)
        after = getattr(fresh.summary, name, None)
        if before != after:
            diffs.append(f"{name}: stored {_text(before)}, replayed {_text(after)}")
    return diffs


def _text(value: Decimal | None) -> str:
    return "None" if value is None else plain(value)


def proposal_replay(*, firm: Firm, proposal_id: int) -> Replay:
    """Re-run the stored input of ``firm``'s proposal."""
    proposal = Proposal.objects.for_firm(firm).filter(pk=proposal_id).first()
    if proposal is None:
        raise DomainError(f"proposal {proposal_id} not found", field="proposal_id")
    if not proposal.input_blob:
        raise DomainError(
            f"proposal {proposal_id} has no stored input (the optimizer never ran: "
            f"{proposal.message})",
            field="proposal_id",
        )
    stored_input = unpack_input(proposal.input_blob)
    intact = hashlib.sha256(canonical_json(stored_input)).hexdigest() == proposal.input_sha256
    try:
        fresh = solve_case(stored_input)
    except RiskModelMissing as exc:
        raise DomainError(
            f"proposal {proposal_id} cannot be replayed: {exc}", field="proposal_id"
        ) from exc
    diffs = _differences(result_from_dict(proposal.result or {}), fresh)
    return Replay(
        proposal_id=proposal.pk,
        input_intact=intact,
        identical=intact and not diffs,
        differences=diffs,
        result=fresh,
    )
