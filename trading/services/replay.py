"""Replaying a proposal: run the optimizer again on the exact input it stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from accounts.models import Firm
from rebalancer.errors import DomainError
from trading.models import Proposal
from trading.optimization import canonical_json, solve_case, unpack_input

COMPARED_SUMMARY = (
    "realized_short_term_gain",
    "realized_long_term_gain",
    "estimated_tax",
    "transaction_cost",
    "turnover",
    "drift_before",
    "drift_after",
)


@dataclass(frozen=True)
class Replay:
    proposal_id: int
    input_intact: bool
    identical: bool
    differences: list[str]
    result: dict[str, Any]


def _trade_key(trade: dict) -> tuple:
    return (trade["symbol"], trade["side"])


def _differences(stored: dict, fresh: dict) -> list[str]:
    diffs = []
    if stored.get("status") != fresh.get("status"):
        diffs.append(f"status: stored {stored.get('status')}, replayed {fresh.get('status')}")
    old = {_trade_key(t): t for t in stored.get("trades", [])}
    new = {_trade_key(t): t for t in fresh.get("trades", [])}
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        label = f"{key[1]} {key[0]}"
        if a is None:
            diffs.append(f"{label}: not in the stored proposal, replayed {b['quantity']}")
        elif b is None:
            diffs.append(f"{label}: stored {a['quantity']}, not in the replay")
        elif a["quantity"] != b["quantity"]:
            diffs.append(f"{label}: stored {a['quantity']}, replayed {b['quantity']}")
        elif a.get("lots") != b.get("lots"):
            diffs.append(f"{label}: same quantity, different lots")
    old_summary, new_summary = stored.get("summary") or {}, fresh.get("summary") or {}
    for name in COMPARED_SUMMARY:
        if old_summary.get(name) != new_summary.get(name):
            diffs.append(
                f"{name}: stored {old_summary.get(name)}, replayed {new_summary.get(name)}"
            )
    return diffs


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
    case = unpack_input(proposal.input_blob)
    intact = hashlib.sha256(canonical_json(case)).hexdigest() == proposal.input_sha256
    fresh = solve_case(case)
    diffs = _differences(proposal.result or {}, fresh)
    return Replay(
        proposal_id=proposal.pk,
        input_intact=intact,
        identical=intact and not diffs,
        differences=diffs,
        result=fresh,
    )
