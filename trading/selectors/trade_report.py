"""A client's printable trade report: the allocation by asset class before and after the
proposal's trades against the model, and the tax effect (gains and losses realized by term,
the estimated tax, and the tax the harvested losses save)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from money import ZERO
from trading.models import Proposal, ProposedTrade
from trading.selectors.proposals import proposal_weights
from trading.selectors.trade_story import tax_saved_usd
from trading.stored_input import stored_case

CASH = "Cash"


@dataclass(frozen=True)
class AllocationRow:
    asset_class: str
    before: Decimal
    after: Decimal
    target: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class TaxEffect:
    short_term_usd: Decimal
    long_term_usd: Decimal
    losses_harvested_usd: Decimal
    tax_saved_usd: Decimal
    estimated_tax_usd: Decimal


def proposal_allocation(*, proposal: Proposal) -> list[AllocationRow]:
    """Weights by asset class (fractions of the account) before and after the trades,
    against the model, with cash as its own row; empty when the optimizer never ran."""
    rows = proposal_weights(proposal=proposal)
    if not rows or not proposal.total_value_usd:
        return []
    case = stored_case(proposal.input_blob)
    classes = dict(
        zip(case.securities.symbol.tolist(), case.securities.asset_class.tolist(), strict=True)
    )
    totals: dict[str, list[Decimal]] = {}
    for row in rows:
        entry = totals.setdefault(str(classes.get(row.symbol) or "Other"), [ZERO, ZERO, ZERO])
        entry[0] += row.before
        entry[1] += row.after
        entry[2] += row.target
    total = proposal.total_value_usd
    out = [
        AllocationRow(asset_class=name, before=b, after=a, target=t)
        for name, (b, a, t) in sorted(totals.items())
    ]
    out.append(
        AllocationRow(
            asset_class=CASH,
            before=proposal.cash_before_usd / total,
            after=proposal.cash_after_usd / total,
            target=max(ZERO, Decimal(1) - sum((r.target for r in out), ZERO)),
        )
    )
    return out


def proposal_tax_effect(*, proposal: Proposal, trades: list[ProposedTrade]) -> TaxEffect:
    """The proposal's realized gains by term and estimated tax, with the losses its sales
    harvest and the tax those save (as the optimizer valued them)."""
    return TaxEffect(
        short_term_usd=proposal.realized_short_term_gain_usd,
        long_term_usd=proposal.realized_long_term_gain_usd,
        losses_harvested_usd=sum(
            (-t.realized_gain_usd for t in trades if t.side == "sell" and t.realized_gain_usd < 0),
            ZERO,
        ),
        tax_saved_usd=tax_saved_usd(proposal=proposal),
        estimated_tax_usd=proposal.estimated_tax_usd,
    )
