"""What is left of each account's annual gain caps: the room a night's solve may spend.

A cap (``max_realized_gain_usd``, ``max_short_term_gain_usd``) is on the tax year's net
realized gain. What a solve may still realize is the cap less what the year has used:

- the net gain realized this year up to the day (the lot engine's ledger, losses a wash
  sale disallowed added back, as in :mod:`trading.selectors.realized`); realized losses
  add room;
- the net gain of approved sales not yet filled (the part after the filled shares, at the
  gains the proposal computed), which will be realized when they fill;
- for a household's shared cap, also the open proposals of the day of the household's
  other accounts, and what the accounts solved before this one in the same chunk spent
  (``GainRooms.spend``): the nightly run puts such a household's accounts in one chunk,
  so no two workers spend the same room.

A cap is the account's own, or the household's shared by its taxable accounts
(``EffectivePreferences.cap_is_shared``); the shared room counts every taxable account of
the household. The room never goes below zero: an account already past its cap realizes no
further net gain, and is not made to realize losses to get back under it. A cap binds
taxable accounts only: a sale in a retirement account realizes no taxable gain.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, Sum

from accounts.models import Account, TaxStatus
from accounts.selectors.preferences import EffectivePreferences
from firms.models import Firm
from money import ZERO, cents_half_even
from optimizer.contract import reliefs_from_list
from tax_calendar.tax_year import tax_year_start
from tax_calendar.wash_sale import window_start
from trading.gain_caps import NO_CAP, CapRoom, GainRoom
from trading.models import ProposalStatus, ProposedTrade, RealizedGain, Term, TradeSide

NET, SHORT = "max_realized_gain_usd", "max_short_term_gain_usd"


@dataclass(frozen=True)
class Used:
    """Net gain (all terms) and net short-term gain, in dollars."""

    net_usd: Decimal = ZERO
    short_usd: Decimal = ZERO

    def __add__(self, other: Used) -> Used:
        return Used(self.net_usd + other.net_usd, self.short_usd + other.short_usd)

    def __sub__(self, other: Used) -> Used:
        return Used(self.net_usd - other.net_usd, self.short_usd - other.short_usd)

    def of(self, cap: str) -> Decimal:
        return self.net_usd if cap == NET else self.short_usd


def unfilled_gain(*, lots: list[dict[str, str]], quantity: Decimal, filled: Decimal) -> Used:
    """The gain of the part of an approved sale not filled yet: its lots in their order,
    after the ``filled`` shares, up to the trade's ``quantity`` (an advisor may have cut
    it), each lot's gain in proportion to the shares left."""
    skip, left = filled, quantity - filled
    net = short = ZERO
    for relief in reliefs_from_list(lots):
        if left <= 0 or relief.quantity <= 0:
            break
        used = min(skip, relief.quantity)
        skip -= used
        take = min(relief.quantity - used, left)
        if take <= 0:
            continue
        left -= take
        gain = relief.gain * take / relief.quantity
        net += gain
        short += gain if relief.term == Term.SHORT else ZERO
    return Used(cents_half_even(net), cents_half_even(short))


@dataclass
class GainRooms:
    """The caps' room of a chunk's accounts, loaded at once; ``room`` gives an account's
    room now, ``spend`` records what a solved account's proposal realizes, so the next
    account of a household with a shared cap sees less room."""

    as_of: dt.date
    caps: dict[int, dict[str, tuple[Decimal | None, bool]]]  # account -> cap -> (cap, shared)
    household_of: dict[int, int]
    realized: dict[int, Used]  # taxable account -> realized this year
    approved: dict[int, Used]  # taxable account -> approved, not filled
    open_today: dict[int, Used]  # taxable account -> its open proposal of the day
    taxable: set[int]
    spent: dict[int, Used] = field(default_factory=dict)  # account -> solved in this chunk

    def _household_total(self, household_id: int, source: dict[int, Used]) -> Used:
        total = Used()
        for account_id, used in source.items():
            if self.household_of.get(account_id) == household_id:
                total += used
        return total

    def room(self, account_id: int) -> GainRoom:
        if account_id not in self.taxable:
            return GainRoom(as_of=self.as_of, net=NO_CAP, short_term=NO_CAP)
        household = self.household_of[account_id]
        rooms = {}
        for cap_name in (NET, SHORT):
            cap, shared = self.caps[account_id][cap_name]
            if shared:
                realized = self._household_total(household, self.realized)
                committed = (
                    self._household_total(household, self.approved)
                    + self._household_total(household, self.open_today)
                    + self._household_total(household, self.spent)
                    - self.open_today.get(account_id, Used())
                    - self.spent.get(account_id, Used())
                )
            else:
                realized = self.realized.get(account_id, Used())
                committed = self.approved.get(account_id, Used())
            rooms[cap_name] = CapRoom(
                cap_usd=cap,
                shared=shared,
                realized_usd=realized.of(cap_name),
                committed_usd=committed.of(cap_name),
            )
        return GainRoom(as_of=self.as_of, net=rooms[NET], short_term=rooms[SHORT])

    def spend(self, account_id: int, *, net_usd: Decimal, short_usd: Decimal) -> None:
        """Record the net and short-term gain a solved account's proposal realizes (a
        taxable account's, which then counts against its household's shared room)."""
        if account_id in self.taxable:
            self.spent[account_id] = self.spent.get(account_id, Used()) + Used(net_usd, short_usd)


def gain_rooms_for_accounts(
    *,
    firm: Firm,
    accounts: Iterable[Account],
    preferences: dict[int, EffectivePreferences],
    as_of: dt.date,
) -> GainRooms:
    """The caps' room of ``accounts`` on ``as_of``, in two queries whatever their number
    (the realized gains, then the approved and open sales)."""
    accounts = list(accounts)
    caps = {
        a.pk: {
            name: (preferences[a.pk].values[name], preferences[a.pk].cap_is_shared(name))
            for name in (NET, SHORT)
        }
        for a in accounts
    }
    shared_households = {
        a.household_id for a in accounts if any(shared for _, shared in caps[a.pk].values())
    }
    account_ids = [a.pk for a in accounts]
    household_of = {a.pk: a.household_id for a in accounts}
    taxable = {a.pk for a in accounts if a.tax_status == TaxStatus.TAXABLE}
    realized: dict[int, Used] = defaultdict(Used)
    rows = (
        RealizedGain.objects.for_firm(firm)
        .filter(_in_scope("", account_ids, shared_households))
        .filter(account__tax_status=TaxStatus.TAXABLE)
        .filter(sold__gte=tax_year_start(as_of.year), sold__lte=as_of)
        .values("account_id", "account__household_id", "term")
        .annotate(total=Sum(F("gain_usd") + F("disallowed_loss_usd")))
        .order_by()
    )
    for row in rows:
        gain = cents_half_even(Decimal(row["total"]))
        household_of[row["account_id"]] = row["account__household_id"]
        realized[row["account_id"]] += Used(gain, gain if row["term"] == Term.SHORT else ZERO)
    approved, open_today = _pending_sales(
        firm=firm,
        in_scope=_in_scope("proposal__", account_ids, shared_households),
        as_of=as_of,
        household_of=household_of,
    )
    return GainRooms(
        as_of=as_of,
        caps=caps,
        household_of=household_of,
        realized=dict(realized),
        approved=approved,
        open_today=open_today,
        taxable=taxable,
    )


def _in_scope(prefix: str, account_ids: list[int], households: set[int]) -> Q:
    """The accounts asked for, and every account of the households with a shared cap."""
    return Q(**{f"{prefix}account_id__in": account_ids}) | Q(
        **{f"{prefix}account__household_id__in": households}
    )


def _pending_sales(
    *, firm: Firm, in_scope: Q, as_of: dt.date, household_of: dict[int, int]
) -> tuple[dict[int, Used], dict[int, Used]]:
    """Per taxable account: the unfilled gain of its approved sales (proposals of the last
    30 days, as for the wash-sale windows), and the gain of its open proposal of the day."""
    approved_window = Q(
        proposal__status=ProposalStatus.APPROVED,
        held=False,
        proposal__as_of__gte=window_start(sold=as_of),
        proposal__as_of__lte=as_of,
    )
    open_of_day = Q(proposal__status=ProposalStatus.PENDING_REVIEW, proposal__as_of=as_of)
    rows = (
        ProposedTrade.objects.for_firm(firm)
        .filter(in_scope, approved_window | open_of_day)
        .filter(side=TradeSide.SELL, proposal__account__tax_status=TaxStatus.TAXABLE)
        .values_list(
            "proposal__account_id",
            "proposal__account__household_id",
            "proposal__status",
            "quantity",
            "filled_quantity",
            "lots",
        )
    )
    approved: dict[int, Used] = defaultdict(Used)
    open_today: dict[int, Used] = defaultdict(Used)
    for account_id, household_id, status, quantity, filled, lots in rows:
        household_of[account_id] = household_id
        gain = unfilled_gain(lots=lots, quantity=quantity, filled=filled)
        if status == ProposalStatus.APPROVED:
            approved[account_id] += gain
        else:
            open_today[account_id] += gain
    return dict(approved), dict(open_today)


def pending_sales(*, firm: Firm, account_ids: list[int], as_of: dt.date) -> dict[int, Used]:
    """Per taxable account of ``account_ids``: the unfilled gain of its approved sales."""
    approved, _ = _pending_sales(
        firm=firm,
        in_scope=Q(proposal__account_id__in=account_ids),
        as_of=as_of,
        household_of={},
    )
    return approved
