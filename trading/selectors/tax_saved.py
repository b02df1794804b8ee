"""Year-to-date tax saved by harvesting: each taxable account's losses realized this year
(net of what the wash-sale rule disallowed) times its client's rate for the loss's term,
and the household's total. Tax-deferred and exempt accounts save nothing this way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F

from accounts.models import Account, TaxStatus
from accounts.selectors.preferences import effective_preferences_for_accounts
from firms.models import Firm
from money import ZERO, cents_half_even
from tax_calendar.tax_year import tax_year_start
from trading.models import RealizedGain, Term


@dataclass(frozen=True)
class AccountTaxSaved:
    account: Account
    short_term_losses_usd: Decimal
    long_term_losses_usd: Decimal
    short_term_rate: Decimal
    long_term_rate: Decimal

    @property
    def losses_harvested_usd(self) -> Decimal:
        return self.short_term_losses_usd + self.long_term_losses_usd

    @property
    def tax_saved_usd(self) -> Decimal:
        return cents_half_even(
            self.short_term_losses_usd * self.short_term_rate
            + self.long_term_losses_usd * self.long_term_rate
        )


@dataclass(frozen=True)
class HouseholdTaxSaved:
    year: int
    through: dt.date
    accounts: list[AccountTaxSaved]

    @property
    def losses_harvested_usd(self) -> Decimal:
        return sum((a.losses_harvested_usd for a in self.accounts), ZERO)

    @property
    def tax_saved_usd(self) -> Decimal:
        return sum((a.tax_saved_usd for a in self.accounts), ZERO)


def tax_saved_year_to_date(
    *, firm: Firm, accounts: Iterable[Account], through: dt.date
) -> HouseholdTaxSaved:
    """The tax saved this year up to ``through`` by each taxable account of ``accounts``
    (losses are positive amounts; another firm's accounts have none)."""
    taxable = [a for a in accounts if a.tax_status == TaxStatus.TAXABLE and a.firm_id == firm.pk]
    losses: dict[tuple[int, str], Decimal] = {}
    rows = (
        RealizedGain.objects.for_firm(firm)
        .filter(
            account__in=[a.pk for a in taxable],
            sold__gte=tax_year_start(through.year),
            sold__lte=through,
        )
        .annotate(deductible=F("gain_usd") + F("disallowed_loss_usd"))
        .filter(deductible__lt=0)
        .values_list("account_id", "term", "deductible")
    )
    for account_id, term, deductible in rows:
        key = (account_id, term)
        losses[key] = losses.get(key, ZERO) - deductible
    preferences = effective_preferences_for_accounts(firm=firm, accounts=taxable, as_of=through)
    return HouseholdTaxSaved(
        year=through.year,
        through=through,
        accounts=[
            AccountTaxSaved(
                account=a,
                short_term_losses_usd=losses.get((a.pk, Term.SHORT), ZERO),
                long_term_losses_usd=losses.get((a.pk, Term.LONG), ZERO),
                short_term_rate=Decimal(preferences[a.pk].values["short_term_rate"]),
                long_term_rate=Decimal(preferences[a.pk].values["long_term_rate"]),
            )
            for a in taxable
        ],
    )
