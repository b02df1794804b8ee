"""Dividends declared but not yet paid: shown beside cash, never counted as cash.

A cash or reinvested dividend reaches an account's cash (or its lots) on its pay date,
when ``trading.services.corporate_actions`` applies it; until then the balance the
nightly run and the pages read does not include it, so no proposal spends a dividend
before it arrives. This selector says what is on its way: for each dividend not yet
applied to the firm's books, the shares the account holds in lots acquired before the
ex-date (the pay date when none is given) times the cash per share, rounded to the cent.
The shares are those held now, so a sale after the ex-date, which keeps the dividend, is
not counted: an estimate, labelled as one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from firms.models import Firm
from models_library.models import CorporateAction, CorporateActionKind
from money import ZERO_CENTS, cents_half_even
from trading.models import CorporateActionApplication, TaxLot

DIVIDENDS = (CorporateActionKind.CASH_DIVIDEND, CorporateActionKind.REINVESTED_DIVIDEND)


@dataclass(frozen=True)
class ExpectedDividend:
    reference: str
    symbol: str
    ex_date: dt.date
    pay_date: dt.date
    shares: Decimal
    amount_usd: Decimal
    reinvested: bool


def expected_dividends(
    *, firm: Firm, account_ids: Iterable[int]
) -> dict[int, list[ExpectedDividend]]:
    """Per account id, the dividends it expects (declared, not yet paid into ``firm``'s
    books), by pay date. Two queries."""
    account_ids = list(account_ids)
    paid = CorporateActionApplication.objects.for_firm(firm).values("action_id")
    declared = list(
        CorporateAction.objects.filter(kind__in=DIVIDENDS)
        .exclude(pk__in=paid)
        .select_related("security")
        .order_by("effective_date", "id")
    )
    if not declared or not account_ids:
        return {}
    lots = (
        TaxLot.objects.for_firm(firm)
        .filter(account_id__in=account_ids, security__in={a.security_id for a in declared})
        .values_list("account_id", "security_id", "acquired", "quantity")
    )
    held: dict[int, list[tuple[int, dt.date, Decimal]]] = defaultdict(list)
    for account_id, security_id, acquired, quantity in lots:
        held[account_id].append((security_id, acquired, quantity))
    expected: dict[int, list[ExpectedDividend]] = {}
    for account_id in account_ids:
        for action in declared:
            shares = sum(
                (
                    quantity
                    for security_id, acquired, quantity in held[account_id]
                    if security_id == action.security_id and acquired < action.entitlement_date
                ),
                Decimal(0),
            )
            if shares:
                expected.setdefault(account_id, []).append(_expected(action, shares))
    return expected


def _expected(action: CorporateAction, shares: Decimal) -> ExpectedDividend:
    return ExpectedDividend(
        reference=action.reference,
        symbol=action.security.symbol,
        ex_date=action.entitlement_date,
        pay_date=action.effective_date,
        shares=shares,
        amount_usd=cents_half_even(shares * (action.cash_per_share or ZERO_CENTS)),
        reinvested=action.kind == CorporateActionKind.REINVESTED_DIVIDEND,
    )


def expected_dividends_usd(dividends: Iterable[ExpectedDividend]) -> Decimal:
    return sum((d.amount_usd for d in dividends), ZERO_CENTS)
