"""Planned charitable gifts: an account's list, the gift a night's solve plans, and the
gifted lots of a proposal.

Which gift a night plans (``gifts_to_plan``): for a run dated D, each taxable account's
earliest gift (by date, then entry) that is planned or proposed (not yet recorded or
cancelled) and dated on or before D + ``GIFT_HORIZON_DAYS``. The optimizer is given its
amount and the later of its date and D (a lot must be long-term on the day it is given),
so the night's rebalance treats the shares as leaving. The night's proposal becomes the
gift's proposal unless the gift's proposal is already approved: then that approved
proposal's lots are the ones recorded on the gift's date, and later nights only keep the
shares out of the rebalance until then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from accounts.models import Account, TaxStatus
from firms.models import Firm
from money import ZERO
from rebalancer.tenancy import get_for_firm_or_404
from trading.models import GiftStatus, PlannedGift, Proposal, ProposalStatus

GIFT_HORIZON_DAYS = 30
OPEN = (GiftStatus.PLANNED, GiftStatus.PROPOSED)
DECIDED = (ProposalStatus.APPROVED, ProposalStatus.FILLED)


def account_gifts(*, firm: Firm, account: Account) -> QuerySet[PlannedGift]:
    """The account's gifts, the earliest first."""
    return PlannedGift.objects.for_firm(firm).filter(account=account).select_related("proposal")


def gift_get(*, firm: Firm, account: Account, gift_id: int) -> PlannedGift:
    """One gift of the account (Http404 for another firm's or another account's)."""
    return get_for_firm_or_404(account_gifts(firm=firm, account=account), firm=firm, pk=gift_id)


def _plannable(*, firm: Firm, account_ids: list[int], as_of: dt.date) -> QuerySet[PlannedGift]:
    horizon = as_of + dt.timedelta(days=GIFT_HORIZON_DAYS)
    return (
        PlannedGift.objects.for_firm(firm)
        .filter(
            account_id__in=account_ids,
            account__tax_status=TaxStatus.TAXABLE,
            status__in=OPEN,
            date__lte=horizon,
        )
        .select_related("proposal")
        .order_by("account_id", "date", "pk")
    )


def gifts_to_plan(*, firm: Firm, account_ids: list[int], as_of: dt.date) -> dict[int, PlannedGift]:
    """Each account's gift for the night of ``as_of`` (see the module docstring). One query."""
    chosen: dict[int, PlannedGift] = {}
    for gift in _plannable(firm=firm, account_ids=account_ids, as_of=as_of):
        chosen.setdefault(gift.account_id, gift)
    return chosen


def gift_plan_date(gift: PlannedGift, *, as_of: dt.date) -> dt.date:
    """The date the optimizer is given: the gift's, or the night's if that is later."""
    return max(gift.date, as_of)


@dataclass(frozen=True)
class GiftedLotRow:
    lot: str
    symbol: str
    quantity: Decimal
    price: Decimal
    value_usd: Decimal
    cost_basis_usd: Decimal
    appreciation_usd: Decimal


@dataclass(frozen=True)
class ProposalGifts:
    """A proposal's gifted lots (apart from its trades) and their figures."""

    lots: tuple[GiftedLotRow, ...]
    value_usd: Decimal
    tax_avoided_usd: Decimal
    gift: PlannedGift | None

    @property
    def appreciation_usd(self) -> Decimal:
        return sum((row.appreciation_usd for row in self.lots), ZERO)


def _lot_row(row: dict) -> GiftedLotRow:
    return GiftedLotRow(
        lot=str(row["lot"]),
        symbol=str(row["symbol"]),
        quantity=Decimal(str(row["quantity"])),
        price=Decimal(str(row["price"])),
        value_usd=Decimal(str(row["value"])),
        cost_basis_usd=Decimal(str(row["cost_basis"])),
        appreciation_usd=Decimal(str(row["appreciation"])),
    )


def gifted_lots(result: object) -> tuple[GiftedLotRow, ...]:
    """The gifted lots of a stored answer (the contract's ``gifts``)."""
    rows = result.get("gifts") if isinstance(result, dict) else None
    return tuple(_lot_row(row) for row in rows or [] if isinstance(row, dict))


def proposal_gifts(*, proposal: Proposal) -> ProposalGifts | None:
    """The proposal's gift in kind (None: it gives nothing)."""
    lots = gifted_lots(proposal.result)
    if not lots:
        return None
    summary = (proposal.result or {}).get("summary") or {}
    value = summary.get("gift_value")
    avoided = summary.get("gift_tax_avoided")
    return ProposalGifts(
        lots=lots,
        value_usd=Decimal(str(value))
        if value is not None
        else sum((g.value_usd for g in lots), ZERO),
        tax_avoided_usd=Decimal(str(avoided)) if avoided is not None else ZERO,
        gift=PlannedGift.objects.for_firm(proposal.firm).filter(proposal=proposal).first(),
    )
