"""Turning one optimizer answer into an unsaved Proposal and its trades, with review flags."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from accounts.models import Firm
from models_library.models import Security
from money import CENT, ZERO, to_decimal
from trading.models import Proposal, ProposalStatus, ProposedTrade
from trading.optimization import DataProblem, case_for_account, pack_input, solve_case
from trading.selectors.run_inputs import AccountInputs, ChunkInputs

logger = logging.getLogger(__name__)


def review_flags(*, firm: Firm, result: dict[str, Any], withdrawal_usd: Decimal) -> list[str]:
    """Why an advisor should look at this proposal before it goes to the trader."""
    summary = result.get("summary") or {}
    flags = []
    if to_decimal(summary.get("turnover")) > firm.turnover_flag_threshold:
        flags.append("turnover_above_threshold")
    if to_decimal(summary.get("estimated_tax")) > firm.tax_flag_threshold_usd:
        flags.append("tax_above_threshold")
    if result.get("status") != "optimal" and withdrawal_usd > 0:
        flags.append("withdrawal_not_met")
    return flags


def build_proposal(
    *,
    firm: Firm,
    account_id: int,
    as_of: dt.date,
    run_id: int | None,
    result: dict[str, Any],
    case: dict[str, Any] | None,
    packed: tuple[bytes, str] | None,
    data_problem: tuple[str, str] | None = None,
) -> Proposal:
    """An unsaved proposal. ``data_problem`` is (flag, message) when no input could be built."""
    cash_prefs = ((case or {}).get("preferences") or {}).get("cash") or {}
    withdrawal = to_decimal(cash_prefs.get("withdrawal"))
    cash_before = to_decimal(((case or {}).get("account") or {}).get("cash"))
    summary = result.get("summary") or {}
    status = result.get("status", "error")
    flags = review_flags(firm=firm, result=result, withdrawal_usd=withdrawal)
    if data_problem is not None:
        flags.append(data_problem[0])
        status_value, message = ProposalStatus.FAILED, data_problem[1]
    elif status != "optimal":
        flags.append(status)
        status_value, message = ProposalStatus.FAILED, result.get("message", "")
    elif not result.get("trades"):
        status_value, message = ProposalStatus.NO_TRADES, result.get("message", "")
        if message:
            # the optimizer fell back to "no trades" and says why: worth a person's look
            flags.append("optimizer_fallback")
    else:
        status_value, message = ProposalStatus.PENDING_REVIEW, result.get("message", "")
    return Proposal(
        firm=firm,
        account_id=account_id,
        run_id=run_id,
        as_of=as_of,
        status=status_value,
        flags=flags,
        optimizer_status=status if data_problem is None else "not_run",
        message=message,
        total_value_usd=_total_value(case),
        cash_before_usd=cash_before,
        cash_after_usd=to_decimal(result.get("cash_after"), cash_before),
        withdrawal_usd=withdrawal,
        drift_before=to_decimal(summary.get("drift_before")),
        drift_after=to_decimal(summary.get("drift_after")),
        realized_short_term_gain_usd=to_decimal(summary.get("realized_short_term_gain")),
        realized_long_term_gain_usd=to_decimal(summary.get("realized_long_term_gain")),
        estimated_tax_usd=to_decimal(summary.get("estimated_tax")),
        transaction_cost_usd=to_decimal(summary.get("transaction_cost")),
        turnover=to_decimal(summary.get("turnover")),
        binding_rules=summary.get("binding_rules") or result.get("binding_rules") or [],
        result=result,
        input_blob=packed[0] if packed else None,
        input_sha256=packed[1] if packed else "",
    )


def _total_value(case: dict[str, Any] | None) -> Decimal:
    if not case:
        return ZERO
    prices = {s: to_decimal(v["price"]) for s, v in case["securities"].items()}
    held = sum((to_decimal(lot["quantity"]) * prices[lot["symbol"]] for lot in case["lots"]), ZERO)
    return (held + to_decimal(case["account"]["cash"])).quantize(CENT)


def build_trades(
    *, firm: Firm, proposal: Proposal, securities: dict[str, Security]
) -> list[ProposedTrade]:
    trades = []
    for trade in (proposal.result or {}).get("trades", []):
        lots = trade.get("lots") or []
        trades.append(
            ProposedTrade(
                firm=firm,
                proposal=proposal,
                security=securities[trade["symbol"]],
                side=trade["side"],
                quantity=to_decimal(trade["quantity"]),
                price=to_decimal(trade["price"]),
                value_usd=to_decimal(trade["value"]).quantize(CENT),
                reasons=trade.get("reasons", []),
                lots=lots,
                realized_gain_usd=sum((to_decimal(lot.get("gain")) for lot in lots), ZERO),
            )
        )
    return trades


def proposal_solve(
    *, firm: Firm, item: AccountInputs, inputs: ChunkInputs, run_id: int | None
) -> Proposal:
    """Optimize one loaded account into an unsaved proposal. Never raises for the account's
    data: a data problem or a solver crash becomes a failed proposal with its reason."""
    account_id, as_of = item.account.pk, inputs.as_of
    try:
        case = case_for_account(item, inputs)
    except DataProblem as problem:
        return build_proposal(
            firm=firm,
            account_id=account_id,
            as_of=as_of,
            run_id=run_id,
            result={"status": "error", "message": str(problem)},
            case=None,
            packed=None,
            data_problem=(problem.flag, str(problem)),
        )
    try:
        result = solve_case(case)
    except Exception as exc:  # noqa: BLE001 - one account's failure never stops the others
        logger.exception("optimizer failed for account %s", account_id)
        result = {"status": "error", "message": f"optimizer failed: {exc}", "trades": []}
    return build_proposal(
        firm=firm,
        account_id=account_id,
        as_of=as_of,
        run_id=run_id,
        result=result,
        case=case,
        packed=pack_input(case),
    )
