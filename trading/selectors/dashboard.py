"""The advisor's dashboard: what waits for review, what drifted, gains against caps, and
how the last run went. Every list of accounts is limited to the accounts the member may see
(the advisor scope, ``accounts.selectors.scope``); the last run's figures are counts of the
firm's whole run and name no account (its page lists only the member's failed accounts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from accounts.models import Account, PreferenceSet, TaxStatus
from accounts.selectors.households import account_list
from accounts.selectors.preferences import effective_preferences_for_accounts
from firms.models import Firm, Membership
from money import ZERO_CENTS
from trading.models import ProposalStatus, RealizedGain, Run, Term
from trading.selectors.account_search import account_search
from trading.selectors.proposals import proposal_list
from trading.selectors.runs import run_progress


@dataclass(frozen=True)
class CapRow:
    account: Account
    net_gain_usd: Decimal
    short_gain_usd: Decimal
    cap_usd: Decimal | None
    short_cap_usd: Decimal | None

    @property
    def used(self) -> Decimal | None:
        """The larger share of a cap used so far (1 = at the cap)."""
        shares = [
            (gain / cap if cap else Decimal(gain > 0))
            for gain, cap in (
                (self.net_gain_usd, self.cap_usd),
                (self.short_gain_usd, self.short_cap_usd),
            )
            if cap is not None
        ]
        return max(shares) if shares else None


def gains_against_caps(
    *, firm: Firm, membership: Membership | None, as_of: dt.date, limit: int = 10
) -> list[CapRow]:
    """Taxable accounts with a gain cap, this year's realized gains against it, nearest
    to the cap first."""
    capped = PreferenceSet.objects.for_firm(firm).filter(
        Q(max_realized_gain_usd__isnull=False) | Q(max_short_term_gain_usd__isnull=False)
    )
    accounts = list(
        account_list(firm=firm, membership=membership, tax_status=TaxStatus.TAXABLE)
        .filter(Q(household__in=capped.values("household")) | Q(pk__in=capped.values("account")))
        .order_by("account_number")[:200]
    )
    prefs = effective_preferences_for_accounts(firm=firm, accounts=accounts, as_of=as_of)
    gains: dict[tuple[int, str], Decimal] = {}
    for row in (
        RealizedGain.objects.for_firm(firm)
        .filter(account__in=accounts, sold__year=as_of.year, sold__lte=as_of)
        .values("account_id", "term")
        .annotate(total=Sum("gain_usd") + Sum("disallowed_loss_usd"))
    ):
        gains[(row["account_id"], row["term"])] = row["total"] or ZERO_CENTS
    rows = []
    for account in accounts:
        values = prefs[account.pk].values
        if values["max_realized_gain_usd"] is None and values["max_short_term_gain_usd"] is None:
            continue
        short = gains.get((account.pk, Term.SHORT), ZERO_CENTS)
        rows.append(
            CapRow(
                account=account,
                net_gain_usd=short + gains.get((account.pk, Term.LONG), ZERO_CENTS),
                short_gain_usd=short,
                cap_usd=values["max_realized_gain_usd"],
                short_cap_usd=values["max_short_term_gain_usd"],
            )
        )
    rows.sort(key=lambda r: (-(r.used or Decimal(-1)), r.account.account_number))
    return rows[:limit]


def last_run(*, firm: Firm) -> tuple[Run | None, dict[str, int]]:
    run = Run.objects.for_firm(firm).order_by("-as_of", "-pk").first()
    return run, (run_progress(firm=firm, run=run) if run else {})


def dashboard(*, firm: Firm, membership: Membership | None, as_of: dt.date) -> dict:
    waiting = proposal_list(firm=firm, membership=membership, status=ProposalStatus.PENDING_REVIEW)
    run, progress = last_run(firm=firm)
    return {
        "waiting": waiting[:15],
        "waiting_count": waiting.count(),
        "waiting_flagged": waiting.exclude(flags=[]).count(),
        "drifted": account_search(firm=firm, membership=membership, sort="drift").filter(
            drift__isnull=False
        )[:10],
        "caps": gains_against_caps(firm=firm, membership=membership, as_of=as_of),
        "run": run,
        "progress": progress,
    }
