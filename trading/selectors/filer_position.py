"""Where each taxable account's tax filer stands this year: the net short- and long-term
gain realized in all the filer's accounts, what the optimizer values a night's gains and
losses against (``optimizer/tax_value.py``).

A filer is a household's `tax_filer` label (blank: the household's one filer); an account
belongs to the filer its effective preferences name. The position counts, over the filer's
taxable accounts, the net gain realized this year (losses a wash sale disallowed added
back) and the unfilled gain of approved sales, as the gain caps do
(``trading.selectors.gain_room``); accounts of the filer solved earlier in the same chunk
add what their proposals realize (``GainRooms.spent``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Sum

from accounts.models import Account, TaxStatus
from accounts.selectors.preferences import (
    EffectivePreferences,
    effective_preferences_for_accounts,
)
from firms.models import Firm
from money import ZERO, cents_half_even
from optimizer.tax_value import tax_spent
from tax_calendar.tax_year import tax_year_start
from trading.gain_caps import NO_CAP, GainRoom
from trading.menus import FilerPosition, tax_menus
from trading.models import RealizedGain, Term
from trading.selectors.gain_room import Used, pending_sales

FilerKey = tuple[int, str]


@dataclass(frozen=True)
class FilerPositions:
    """The filer of each taxable account and what the filer's accounts have realized."""

    key_of: dict[int, FilerKey]
    used: dict[int, Used]  # taxable account -> realized this year and approved, unfilled

    def position(self, account_id: int, *, spent: dict[int, Used]) -> FilerPosition | None:
        key = self.key_of.get(account_id)
        if key is None:
            return None
        total = Used()
        for other, other_key in self.key_of.items():
            if other_key == key:
                total += self.used.get(other, Used())
                if other != account_id:
                    total += spent.get(other, Used())
        return FilerPosition(
            filer=key[1], short_usd=total.short_usd, long_usd=total.net_usd - total.short_usd
        )


def filer_positions_for_accounts(
    *,
    firm: Firm,
    accounts: Iterable[Account],
    preferences: dict[int, EffectivePreferences],
    as_of: dt.date,
) -> FilerPositions:
    """The filers of ``accounts`` and their positions on ``as_of``, over every taxable
    account of their households."""
    households = {a.household_id for a in accounts}
    members = list(
        Account.objects.for_firm(firm).filter(
            household_id__in=households, tax_status=TaxStatus.TAXABLE
        )
    )
    prefs = dict(preferences)
    missing = [a for a in members if a.pk not in prefs]
    if missing:
        prefs.update(effective_preferences_for_accounts(firm=firm, accounts=missing, as_of=as_of))
    key_of = {a.pk: (a.household_id, str(prefs[a.pk].values["tax_filer"] or "")) for a in members}
    used: dict[int, Used] = defaultdict(Used)
    rows = (
        RealizedGain.objects.for_firm(firm)
        .filter(account_id__in=list(key_of))
        .filter(sold__gte=tax_year_start(as_of.year), sold__lte=as_of)
        .values("account_id", "term")
        .annotate(total=Sum(F("gain_usd") + F("disallowed_loss_usd")))
        .order_by()
    )
    for row in rows:
        gain = cents_half_even(row["total"])
        used[row["account_id"]] += Used(gain, gain if row["term"] == Term.SHORT else ZERO)
    approved = pending_sales(firm=firm, account_ids=list(key_of), as_of=as_of)
    for account_id, unfilled in approved.items():
        used[account_id] += unfilled
    return FilerPositions(key_of=key_of, used=dict(used))


@dataclass(frozen=True)
class TaxBudgetRoom:
    """An account's annual tax budget: the budget, what the filer's gains realized this
    year have cost in tax (Schedule D, see ``optimizer.tax_value.tax_spent``), and what is
    left for the nights to spend."""

    filer: str
    budget_usd: Decimal
    spent_usd: Decimal
    left_usd: Decimal


def tax_budget_room(
    *, firm: Firm, account: Account, preferences: EffectivePreferences, as_of: dt.date
) -> TaxBudgetRoom | None:
    """The account's tax budget room on ``as_of`` (None: no budget, or not taxable)."""
    budget = preferences.values["annual_tax_budget_usd"]
    if budget is None or account.tax_status != TaxStatus.TAXABLE:
        return None
    filers = filer_positions_for_accounts(
        firm=firm, accounts=[account], preferences={account.pk: preferences}, as_of=as_of
    )
    filer = filers.position(account.pk, spent={})
    room = GainRoom(as_of=as_of, net=NO_CAP, short_term=NO_CAP)
    tax = tax_menus(preferences.values, room=room, filer=filer)
    return TaxBudgetRoom(
        filer=filer.filer if filer else "",
        budget_usd=cents_half_even(Decimal(budget)),
        spent_usd=cents_half_even(tax_spent(tax)),
        left_usd=tax.max_tax if tax.max_tax is not None else ZERO,
    )
