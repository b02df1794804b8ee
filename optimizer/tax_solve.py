"""The Schedule D valuation around one account's solve (`tax_value.py`): solve at the
marginal rates of the filer's position, solve once more at the midpoint's rates when the
answer lands in another piece, and report the exact Schedule D tax of the answer."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from money import ZERO, cents_half_up
from optimizer.errors import OptimizerError, OptimizerInfeasibleError
from optimizer.objective import Solved, completed, solve_within_limit
from optimizer.prepare import Prepared, revalued
from optimizer.tax_value import MarginalRates, exact_tax, resolved_rates
from optimizer.types import Case, OptimizeResult


def solve_valued(*, prep: Prepared) -> tuple[Prepared, Solved]:
    """The account solved with its lots valued at the filer's Schedule D position; the
    `Prepared` returned is the one the answer was solved with.

    The first answer only tells which piece of Schedule D the account lands in. In a
    taxable account with Schedule D inputs it is a scout's (`objective.solve_within_limit`
    with `scout`: wash-sale directions from the Lagrangian prices alone, no relaxation),
    since most such accounts land in another piece and are solved again at the midpoint's
    rates; where the scout stays in its piece the account is solved in full at its rates,
    and that answer, checked again, is kept or solved again at its own midpoint's rates.
    Elsewhere the first answer is finished (`objective.completed`) and kept."""
    tax = prep.case.preferences.tax
    valued = tax.schedule_d is not None and prep.case.tax_status == "taxable"
    try:
        solved = solve_within_limit(prep=prep, complete=False, scout=valued)
    except OptimizerInfeasibleError:
        if tax.max_tax is None or prep.case.tax_status != "taxable":
            raise
        raise OptimizerInfeasibleError(
            f"the rules cannot be met within the tax budget (${tax.max_tax:,.2f} of tax "
            "left this year)"
        ) from None
    if not valued:
        return prep, completed(solved)
    rates = _moved_to(prep=prep, solved=solved)
    if rates is None:
        solved = _kept(prep=prep, solved=solved)
        rates = _moved_to(prep=prep, solved=solved)
        if rates is None:
            return prep, solved
    again = revalued(prep, rates=rates)
    try:
        return again, solve_within_limit(prep=again)
    except OptimizerError:
        return prep, _kept(prep=prep, solved=solved)


def _moved_to(*, prep: Prepared, solved: Solved) -> MarginalRates | None:
    """The midpoint's rates where the answer's realized gains move the filer into another
    piece of Schedule D (`tax_value.resolved_rates`), else None."""
    sold = solved.x[solved.problem.layout.s]
    gain = prep.lot_gain_ratio * sold * prep.value
    short = float(gain[prep.lot_is_short].sum())
    long = float(gain[~prep.lot_is_short].sum())
    return resolved_rates(prep.case.preferences.tax, short=short, long=long)


def _kept(*, prep: Prepared, solved: Solved) -> Solved:
    """The first answer, kept: solved again in full where it was a scout's, else
    finished."""
    if solved.scouted:
        return solve_within_limit(prep=prep)
    return completed(solved)


def with_exact_tax(*, result: OptimizeResult, prep: Prepared) -> OptimizeResult:
    """The result with the filer's exact Schedule D tax of the year before and after the
    proposal, and the tax room it leaves, in its summary."""
    summary = result.summary
    if summary is None or prep.case.tax_status != "taxable":
        return result
    exact = exact_tax(
        prep.case.preferences.tax,
        short=summary.realized_short_term_gain,
        long=summary.realized_long_term_gain,
    )
    if exact is None:
        return result
    return replace(
        result,
        summary=replace(
            summary,
            schedule_d_tax_before=cents_half_up(exact.before),
            schedule_d_tax_after=cents_half_up(exact.after),
            tax_budget_left=None if exact.budget_left is None else cents_half_up(exact.budget_left),
        ),
    )


def budget_excess(*, result: OptimizeResult) -> Decimal | None:
    """How far the proposal's exact tax goes past tonight's room, when it does."""
    summary = result.summary
    if summary is None or summary.tax_budget_left is None or summary.tax_budget_left >= 0:
        return None
    return -summary.tax_budget_left


def tightened(case: Case, *, excess: Decimal) -> Case:
    """The case with tonight's tax room cut by `excess` (the budget's one re-solve)."""
    tax = case.preferences.tax
    assert tax.max_tax is not None
    room = max(ZERO, tax.max_tax - excess)
    return replace(case, preferences=replace(case.preferences, tax=replace(tax, max_tax=room)))


def restored(result: OptimizeResult, *, case: Case) -> OptimizeResult:
    """A re-solved result with its budget left measured against the real room."""
    summary = result.summary
    tax = case.preferences.tax
    if summary is None or tax.max_tax is None or summary.schedule_d_tax_after is None:
        return result
    assert summary.schedule_d_tax_before is not None
    spent = summary.schedule_d_tax_after - summary.schedule_d_tax_before
    return replace(result, summary=replace(summary, tax_budget_left=tax.max_tax - spent))
