"""A managed household's taxable accounts keep their own tax wishes, as for one account.

- **Gift** (`preferences.gift`): the account's most appreciated long-term lots leave it
  before the household is solved (`gifting.py`); the household's target applies to what
  is left, and the gifted lots and the tax they avoid come back on the account's answer.
- **Tax room** (`preferences.tax.max_tax`: what is left tonight of the annual tax budget
  or of the transition plan's budget for the year): a row per account in the household's
  problem (`household_problem.py`). Each answer reports its exact Schedule D tax and the
  room left (`tax_solve.py`); where whole shares take an account past its room, the
  household is solved once more with that account's room cut by the excess.
- **Gain harvest** (`preferences.tax.harvest_gains_up_to`): after the household's answer,
  each taxable account harvests long-term gains as one account does (`gain_harvest.py`),
  seeing tonight's loss sales in the household's other accounts as recent loss sales, so
  its buy-backs never wash another account's loss.

Bad input is refused naming the account and the field (`accounts[k].preferences...`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from money import CENT, ZERO, cents_half_up
from optimizer.contract.check import check_case, check_gift
from optimizer.errors import OptimizerError, OptimizerInputError
from optimizer.gain_harvest import harvest_gains
from optimizer.gifting import Gift, planned_gift, with_gift
from optimizer.household_types import HouseholdCase, HouseholdResult
from optimizer.prepare import Prepared
from optimizer.tax_solve import budget_excess, restored, tightened, with_exact_tax
from optimizer.types import Case, OptimizeResult, RecentLossSale


def check_accounts(household: HouseholdCase) -> None:
    """Each account's case against the contract, its gift included."""
    for k, case in enumerate(household.accounts):
        try:
            check_case(case)
            check_gift(case)
        except OptimizerInputError as exc:
            raise OptimizerInputError(
                case=household.household_id,
                field=f"accounts[{k}].{exc.field}",
                message=f"account {case.account_id}: {exc.message}",
            ) from exc


def gifts_given(household: HouseholdCase) -> tuple[tuple[Gift | None, ...], HouseholdCase]:
    """Each account's planned gift (None without one) and the household without the
    gifted lots."""
    gifts = tuple(planned_gift(case) for case in household.accounts)
    after = tuple(
        case if gift is None else gift.case_after
        for case, gift in zip(household.accounts, gifts, strict=True)
    )
    return gifts, replace(household, accounts=after)


def _loss_sales(case: Case, result: OptimizeResult) -> list[RecentLossSale]:
    if case.tax_status != "taxable":
        return []
    return [
        RecentLossSale(symbol=t.symbol, date=case.as_of)
        for t in result.trades
        if t.side == "sell" and any(r.gain < 0 for r in t.lots)
    ]


def finished(
    *,
    results: tuple[OptimizeResult, ...],
    preps: tuple[Prepared, ...],
    gifts: tuple[Gift | None, ...],
    originals: tuple[Case, ...],
) -> tuple[OptimizeResult, ...]:
    """Each account's answer with its exact Schedule D tax, its gain harvest and its gift
    (module docstring)."""
    exact = [with_exact_tax(result=r, prep=p) for r, p in zip(results, preps, strict=True)]
    losses = [_loss_sales(p.case, r) for r, p in zip(exact, preps, strict=True)]
    out = []
    for a, (result, prep, gift) in enumerate(zip(exact, preps, gifts, strict=True)):
        others = tuple(sale for b, sales in enumerate(losses) if b != a for sale in sales)
        case = prep.case
        if others and case.preferences.tax.harvest_gains_up_to is not None:
            case = replace(case, recent_loss_sales=(*case.recent_loss_sales, *others))
        harvested = harvest_gains(result, case=case)
        if gift is not None:
            harvested = with_gift(harvested, gift=gift, case=originals[a])
        out.append(harvested)
    return tuple(out)


def with_account_totals(result: HouseholdResult) -> HouseholdResult:
    """The household's tax and cost as the sum of its accounts' (after harvests)."""
    if result.summary is None:
        return result
    summaries = [r.summary for r in result.accounts if r.summary is not None]
    tax = sum((s.estimated_tax for s in summaries), ZERO)
    cost = sum((s.transaction_cost for s in summaries), ZERO)
    summary = replace(
        result.summary, estimated_tax=cents_half_up(tax), transaction_cost=cost.quantize(CENT)
    )
    return replace(result, summary=summary)


def within_tax_rooms(
    household: HouseholdCase, solve: Callable[[HouseholdCase], HouseholdResult]
) -> HouseholdResult:
    """`solve(household)`; where an account's exact tax goes past its room, solved once
    more with that account's room cut by the excess, each room then measured against the
    real one. The first answer stands when the second cannot be found."""
    result = solve(household)
    excess = [budget_excess(result=r) for r in result.accounts]
    if all(e is None for e in excess):
        return result
    tight = tuple(
        case if e is None else tightened(case, excess=e)
        for case, e in zip(household.accounts, excess, strict=True)
    )
    try:
        again = solve(replace(household, accounts=tight))
    except OptimizerError:
        return result
    accounts = tuple(
        restored(r, case=case) for r, case in zip(again.accounts, household.accounts, strict=True)
    )
    return replace(again, accounts=accounts)
