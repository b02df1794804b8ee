"""Fills and approved trades, for the account history and the trader's pages."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Account
from firms.models import Firm
from trading.models import Fill, ProposalStatus, ProposedTrade


def account_fills(*, firm: Firm, account: Account) -> QuerySet[Fill]:
    return (
        Fill.objects.for_firm(firm)
        .filter(account=account)
        .select_related("order__security", "order__blotter", "imported_by")
        .order_by("-trade_date", "-id")
    )


def approved_trades_waiting(*, firm: Firm) -> QuerySet[ProposedTrade]:
    """Approved trades that no blotter holds yet."""
    return ProposedTrade.objects.for_firm(firm).filter(
        proposal__status=ProposalStatus.APPROVED, order__isnull=True, held=False
    )
