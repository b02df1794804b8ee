"""Turning one optimizer answer into an unsaved Proposal and its trades, with review flags."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from firms.models import Firm
from models_library.models import Security
from money import CENT, ZERO
from optimizer.contract import reliefs_to_list, result_to_dict, rules_to_list
from optimizer.types import Case, OptimizeResult, Trade
from trading.models import Proposal, ProposalStatus, ProposedTrade
from trading.optimization import DataProblem, case_for_account, solve_case
from trading.selectors.run_inputs import AccountInputs, ChunkInputs
from trading.stored_input import pack_input
from trading.transition_plan import TRANSITION_STEP, transition_budget

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Solved:
    """An unsaved proposal and the optimizer's trades that become its trade rows."""

    proposal: Proposal
    trades: tuple[Trade, ...]


def review_flags(*, firm: Firm, result: OptimizeResult, withdrawal_usd: Decimal) -> list[str]:
    """Why an advisor should look at this proposal before it goes to the trader."""
    flags = []
    summary = result.summary
    if summary is not None and summary.turnover > firm.turnover_flag_threshold:
        flags.append("turnover_above_threshold")
    if summary is not None and summary.estimated_tax > firm.tax_flag_threshold_usd:
        flags.append("tax_above_threshold")
    if result.status != "optimal" and withdrawal_usd > 0:
        flags.append("withdrawal_not_met")
    # the optimizer's own (drift_forced: a rule or the cash need held tracking error above
    # the limit), as a household's proposals carry theirs
    if summary is not None:
        flags += [flag for flag in summary.flags if flag not in flags]
    return flags


def _status(
    result: OptimizeResult, data_problem: tuple[str, str] | None
) -> tuple[str, str, list[str]]:
    """(proposal status, message, flags of its own). A proposal that gives lots to charity
    waits for review even without trades: approving it is what records the gift."""
    if data_problem is not None:
        return ProposalStatus.FAILED, data_problem[1], [data_problem[0]]
    if result.status != "optimal":
        return ProposalStatus.FAILED, result.message, [result.status]
    if not result.trades and not result.gifts:
        # the optimizer fell back to "no trades" and says why: worth a person's look
        fallback = ["optimizer_fallback"] if result.message else []
        return ProposalStatus.NO_TRADES, result.message, fallback
    return ProposalStatus.PENDING_REVIEW, result.message, []


def build_proposal(
    *,
    firm: Firm,
    account_id: int,
    as_of: dt.date,
    run_id: int | None,
    result: OptimizeResult,
    case: Case | None,
    data_problem: tuple[str, str] | None = None,
) -> Proposal:
    """An unsaved proposal. ``data_problem`` is (flag, message) when no input could be built;
    ``case`` is stored (as the contract's JSON) for replay."""
    withdrawal = case.preferences.cash.withdrawal if case else ZERO
    cash_before = case.cash if case else ZERO
    summary = result.summary
    flags = review_flags(firm=firm, result=result, withdrawal_usd=withdrawal)
    status, message, own_flags = _status(result, data_problem)
    packed = pack_input(case) if case is not None else None
    stored = _stored_result(result, data_problem)
    return Proposal(
        firm=firm,
        account_id=account_id,
        run_id=run_id,
        as_of=as_of,
        status=status,
        flags=flags + own_flags,
        optimizer_status=result.status if data_problem is None else "not_run",
        message=message,
        total_value_usd=_total_value(case),
        cash_before_usd=cash_before,
        cash_after_usd=result.cash_after if result.cash_after is not None else cash_before,
        withdrawal_usd=withdrawal,
        drift_before=summary.drift_before if summary else ZERO,
        drift_after=summary.drift_after if summary else ZERO,
        realized_short_term_gain_usd=summary.realized_short_term_gain if summary else ZERO,
        realized_long_term_gain_usd=summary.realized_long_term_gain if summary else ZERO,
        estimated_tax_usd=summary.estimated_tax if summary else ZERO,
        transaction_cost_usd=summary.transaction_cost if summary else ZERO,
        turnover=summary.turnover if summary else ZERO,
        binding_rules=rules_to_list(summary.binding_rules) if summary else [],
        result=stored,
        input_blob=packed[0] if packed else None,
        input_sha256=packed[1] if packed else "",
    )


def _stored_result(result: OptimizeResult, data_problem: tuple[str, str] | None) -> dict:
    """The optimizer's answer as it gave it (the contract's JSON), kept unchanged for replay
    and audit; when the optimizer never ran, only why."""
    if data_problem is not None:
        return {"status": result.status, "message": result.message}
    return result_to_dict(result)


def _total_value(case: Case | None) -> Decimal:
    if case is None:
        return ZERO
    lots, securities = case.lots, case.securities
    prices = [securities.price_of(symbol) for symbol in lots.symbol.tolist()]
    held = sum((q * p for q, p in zip(lots.quantity.tolist(), prices, strict=True)), ZERO)
    return (held + case.cash).quantize(CENT)


def build_trades(
    *, firm: Firm, proposal: Proposal, trades: tuple[Trade, ...], securities: dict[str, Security]
) -> list[ProposedTrade]:
    """The proposal's trade rows, from the optimizer's typed trades. From then on the rows,
    not ``Proposal.result``, are the proposal's trades (an advisor may edit them)."""
    return [
        ProposedTrade(
            firm=firm, proposal=proposal, security=securities[trade.symbol], **trade_values(trade)
        )
        for trade in trades
    ]


def trade_values(trade: Trade) -> dict[str, Any]:
    """A trade row's own values (all but its firm, proposal and security), from the
    optimizer's typed trade."""
    return {
        "side": trade.side,
        "quantity": trade.quantity,
        "price": trade.price,
        "value_usd": trade.value.quantize(CENT),
        "reasons": list(trade.reasons),
        "lots": reliefs_to_list(trade.lots) if trade.side == "sell" else [],
        "realized_gain_usd": sum((r.gain for r in trade.lots), ZERO),
    }


def proposal_solve(
    *, firm: Firm, item: AccountInputs, inputs: ChunkInputs, run_id: int | None
) -> Solved:
    """Optimize one loaded account into an unsaved proposal. Never raises for the account's
    data: a data problem or a solver crash becomes a failed proposal with its reason."""
    try:
        case: Case | DataProblem = case_for_account(item, inputs)
    except DataProblem as problem:
        case = problem
    return proposal_for_case(firm=firm, item=item, as_of=inputs.as_of, case=case, run_id=run_id)


def proposal_for_case(
    *, firm: Firm, item: AccountInputs, as_of: dt.date, case: Case | DataProblem, run_id: int | None
) -> Solved:
    """Optimize one built case (or record why none could be built) into an unsaved proposal."""
    account_id = item.account.pk
    if isinstance(case, DataProblem):
        failed = OptimizeResult(account=None, status="error", message=str(case))
        proposal = build_proposal(
            firm=firm,
            account_id=account_id,
            as_of=as_of,
            run_id=run_id,
            result=failed,
            case=None,
            data_problem=(case.flag, str(case)),
        )
        return Solved(proposal=proposal, trades=())
    try:
        result = solve_case(case)
    except Exception as exc:  # noqa: BLE001 - one account's failure never stops the others
        logger.exception("optimizer failed for account %s", account_id)
        result = OptimizeResult(
            account=case.account_id, status="error", message=f"optimizer failed: {exc}"
        )
    proposal = build_proposal(
        firm=firm, account_id=account_id, as_of=as_of, run_id=run_id, result=result, case=case
    )
    return Solved(
        proposal=proposal, trades=with_plan_reasons(result.trades, item=item, as_of=as_of)
    )


def with_plan_reasons(
    trades: tuple[Trade, ...], *, item: AccountInputs, as_of: dt.date
) -> tuple[Trade, ...]:
    """In a year of the account's transition plan every trade is also a transition step
    (reason ``transition_step``): the proposal's trade rows carry it; the optimizer's
    stored answer stays as it gave it."""
    if transition_budget(item.preferences.values, year=as_of.year) is None:
        return trades
    return tuple(
        t if TRANSITION_STEP in t.reasons else replace(t, reasons=(*t.reasons, TRANSITION_STEP))
        for t in trades
    )
