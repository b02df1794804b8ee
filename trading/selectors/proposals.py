"""Proposals for the review pages: lists with filters, one proposal with its figures.

Every function takes the firm; those given the member apply the advisor scope
(``accounts.selectors.scope``): an advisor sees only the proposals of accounts they may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, IntegerField, Q, QuerySet, When

from accounts.selectors.scope import PROPOSAL, PROPOSED_TRADE, advisor_scope
from firms.models import Firm, Membership
from models_library.selectors.prices import last_price_date
from money import ZERO, cents_half_up
from optimizer.tax_value import exact_tax
from rebalancer.tenancy import get_for_firm_or_404
from trading.models import (
    GiftStatus,
    PlannedGift,
    Proposal,
    ProposalStatus,
    ProposedTrade,
    Run,
)
from trading.stored_input import stored_case


def book_as_of(*, firm: Firm) -> dt.date:
    """The date the firm's book is looked at: its latest run, else the latest price."""
    last_run = Run.objects.for_firm(firm).order_by("-as_of").values_list("as_of", flat=True)
    day = last_run.first() or last_price_date(firm=firm)
    return day or dt.date.today()


def _visible(*, firm: Firm, membership: Membership | None) -> QuerySet[Proposal]:
    qs = Proposal.objects.for_firm(firm)
    return advisor_scope(qs, membership=membership, household_path=PROPOSAL)


def flagged_first(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Flagged proposals first (a proposal's ``flags`` is a JSON list: '[]' when empty)."""
    has_flags = Case(
        When(flags=[], then=1),
        default=0,
        output_field=IntegerField(),
    )
    return qs.annotate(_unflagged=has_flags).order_by(
        "_unflagged", "-as_of", "account__account_number"
    )


def proposal_list(
    *,
    firm: Firm,
    membership: Membership | None = None,
    status: str = "",
    flagged: str = "",
    search: str = "",
) -> QuerySet[Proposal]:
    """Current proposals (superseded ones left out unless asked for), flagged first.
    ``flagged`` is "yes", "no" or ""."""
    qs = _visible(firm=firm, membership=membership).select_related("account__household")
    qs = qs.filter(status=status) if status else qs.exclude(status=ProposalStatus.SUPERSEDED)
    if flagged == "yes":
        qs = qs.exclude(flags=[])
    elif flagged == "no":
        qs = qs.filter(flags=[])
    if search:
        qs = qs.filter(
            Q(account__account_number__icontains=search) | Q(account__name__icontains=search)
        )
    return flagged_first(qs)


def proposal_get(*, firm: Firm, proposal_id: int, membership: Membership | None = None):
    return get_for_firm_or_404(
        _visible(firm=firm, membership=membership).select_related(
            "account__household", "reviewed_by", "run"
        ),
        firm=firm,
        pk=proposal_id,
    )


def proposal_trades(*, proposal: Proposal) -> QuerySet[ProposedTrade]:
    return proposal.trades.select_related("security").order_by("-side", "security__symbol")


def proposal_unapprovable(*, proposal: Proposal) -> bool:
    """Whether an approval may be undone: approved, not a managed household's, none of
    its trades on a blotter yet and no gift of it recorded in the books."""
    return (
        proposal.status == ProposalStatus.APPROVED
        and proposal.household_proposal_id is None
        and not proposal.trades.filter(order__isnull=False).exists()
        and not proposal_gift_recorded(proposal=proposal)
    )


def proposal_gift_recorded(*, proposal: Proposal) -> bool:
    """Whether a gift the proposal gives is recorded in the books (its approval then
    stands)."""
    return (
        PlannedGift.objects.for_firm(proposal.firm)
        .filter(proposal=proposal, status=GiftStatus.RECORDED)
        .exists()
    )


def trade_get(*, firm: Firm, trade_id: int, membership: Membership | None = None):
    trades = advisor_scope(
        ProposedTrade.objects.all(), membership=membership, household_path=PROPOSED_TRADE
    )
    return get_for_firm_or_404(
        trades.select_related("proposal", "security"),
        firm=firm,
        pk=trade_id,
    )


def previous_proposal(*, firm: Firm, proposal: Proposal) -> Proposal | None:
    """The proposal this one replaced (same account and date, superseded), if any."""
    return (
        Proposal.objects.for_firm(firm)
        .filter(account_id=proposal.account_id, as_of=proposal.as_of, pk__lt=proposal.pk)
        .filter(status=ProposalStatus.SUPERSEDED)
        .order_by("-pk")
        .first()
    )


def current_proposal(*, firm: Firm, account) -> Proposal | None:
    """The account's latest proposal that is not superseded."""
    return (
        Proposal.objects.for_firm(firm)
        .filter(account=account)
        .exclude(status=ProposalStatus.SUPERSEDED)
        .order_by("-as_of", "-pk")
        .first()
    )


def account_proposals(*, firm: Firm, account) -> QuerySet[Proposal]:
    return Proposal.objects.for_firm(firm).filter(account=account).order_by("-as_of", "-pk")


@dataclass(frozen=True)
class WeightRow:
    symbol: str
    target: Decimal
    before: Decimal
    after: Decimal


def proposal_weights(*, proposal: Proposal) -> list[WeightRow]:
    """Each security's weight before and after the trades, against the target, from the
    input the optimizer was given (empty when it never ran)."""
    if not proposal.input_blob:
        return []
    case = stored_case(proposal.input_blob)
    lots = case.lots
    prices = dict(zip(case.securities.symbol.tolist(), case.securities.price.tolist(), strict=True))
    held: dict[str, Decimal] = {}
    for symbol, quantity in zip(lots.symbol.tolist(), lots.quantity.tolist(), strict=True):
        held[symbol] = held.get(symbol, ZERO) + quantity
    after = dict(held)
    for trade in proposal.trades.select_related("security"):
        sign = 1 if trade.side == "buy" else -1
        symbol = trade.security.symbol
        after[symbol] = after.get(symbol, ZERO) + sign * trade.quantity
    total = proposal.total_value_usd or ZERO
    if total <= 0:
        return []
    target = case.target
    symbols = sorted(set(held) | set(after) | set(target))
    rows = [
        WeightRow(
            symbol=s,
            target=target.get(s, ZERO),
            before=(held.get(s, ZERO) * prices.get(s, ZERO) / total),
            after=(after.get(s, ZERO) * prices.get(s, ZERO) / total),
        )
        for s in symbols
    ]
    return rows


def largest_changes(rows: list[WeightRow], *, limit: int = 20) -> list[WeightRow]:
    """The rows whose weight the trades change most (all of them when there are few)."""
    if len(rows) <= limit:
        return rows
    changed = sorted(rows, key=lambda r: (-abs(r.after - r.before), r.symbol))[:limit]
    return sorted(changed, key=lambda r: r.symbol)


@dataclass(frozen=True)
class ProposalGainRoom:
    """What was left of the year's gain caps when the proposal was made (what its solve
    was given; None: no cap), what its trades realize, and what they leave."""

    net_room_usd: Decimal | None
    short_room_usd: Decimal | None
    net_usd: Decimal
    short_usd: Decimal

    @property
    def net_left_usd(self) -> Decimal | None:
        return None if self.net_room_usd is None else self.net_room_usd - self.net_usd

    @property
    def short_left_usd(self) -> Decimal | None:
        return None if self.short_room_usd is None else self.short_room_usd - self.short_usd


def proposal_gain_room(*, proposal: Proposal) -> ProposalGainRoom | None:
    """The proposal's gain caps, as its stored input gave them (None when the optimizer
    never ran, or the account has no cap); the gains are its trade rows' (edits included)."""
    if not proposal.input_blob:
        return None
    tax = stored_case(proposal.input_blob).preferences.tax
    if tax.max_realized_gain is None and tax.max_short_term_gain is None:
        return None
    net = short = ZERO
    for trade in proposal.trades.all():
        net += trade.realized_gain_usd
        short += sum((Decimal(r["gain"]) for r in trade.lots if r.get("term") == "short"), ZERO)
    return ProposalGainRoom(
        net_room_usd=tax.max_realized_gain,
        short_room_usd=tax.max_short_term_gain,
        net_usd=net,
        short_usd=short,
    )


@dataclass(frozen=True)
class ProposalTaxBudget:
    """The tax budget's room the proposal's solve was given (dollars of tax), and the
    filer's exact Schedule D tax of the year without and with its trades (edits
    included)."""

    room_usd: Decimal
    before_usd: Decimal
    after_usd: Decimal

    @property
    def spent_usd(self) -> Decimal:
        return self.after_usd - self.before_usd

    @property
    def left_usd(self) -> Decimal:
        return self.room_usd - self.spent_usd


def proposal_tax_budget(*, proposal: Proposal) -> ProposalTaxBudget | None:
    """The proposal's tax budget as its stored input gave it (None: no budget)."""
    if not proposal.input_blob:
        return None
    tax = stored_case(proposal.input_blob).preferences.tax
    if tax.max_tax is None:
        return None
    short = long = ZERO
    for trade in proposal.trades.all():
        for relief in trade.lots:
            gain = Decimal(relief["gain"])
            if relief.get("term") == "short":
                short += gain
            else:
                long += gain
    exact = exact_tax(tax, short=short, long=long)
    if exact is None:
        return None
    return ProposalTaxBudget(
        room_usd=tax.max_tax,
        before_usd=cents_half_up(exact.before),
        after_usd=cents_half_up(exact.after),
    )
