"""Planned charitable gifts in kind: entering and cancelling them, linking them to the
proposal that gives their lots, and recording the lots given in the books.

When a gift is recorded: once its proposal is approved and its date has come (the firm's
today). Approving a proposal whose gift is dated today or earlier records it at once; a
later gift is recorded by the nightly run's start on or after its date. Recording enters,
per security, a lot-engine ``gift`` transaction naming the lots the proposal gave (a
transfer out: no gain, not a sale for the wash-sale rule, no cash), dated the gift's date
at the proposal's prices, and the gift becomes recorded; an approved proposal that has no
trades waiting for fills becomes filled. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F

from accounts.models import Account, TaxStatus
from firms.models import Firm
from firms.services.audit import audit_record, snapshot
from money import ZERO, cents_half_even
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, InvalidTransition, ValidationFailed
from rebalancer.transitions import transition
from trading.models import GiftStatus, PlannedGift, Proposal, ProposalStatus, ProposedTrade
from trading.selectors.gifts import DECIDED, OPEN, gifted_lots, gifts_to_plan
from trading.selectors.holdings import account_cash_usd, account_positions
from trading.services.event_dates import firm_today
from trading.services.lot_ledger import transactions_record

logger = logging.getLogger(__name__)

CHARITY_MAX = PlannedGift._meta.get_field("charity").max_length or 200
NOTE_MAX = PlannedGift._meta.get_field("note").max_length or 500
AMOUNT_MAX = Decimal("1e15")


def account_value_usd(*, firm: Firm, account: Account, as_of: dt.date) -> Decimal:
    """Holdings at their last close on or before ``as_of``, plus cash."""
    positions = account_positions(firm=firm, account=account, as_of=as_of)
    held = sum((p.market_value_usd or ZERO for p in positions), ZERO)
    return cents_half_even(held + account_cash_usd(firm=firm, account=account))


def _amount(value: object) -> Decimal:
    if isinstance(value, float | bool) or value is None or str(value).strip() == "":
        raise ValidationFailed([(None, "amount_usd", "is required: dollars, e.g. 12000.00")])
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValidationFailed([(None, "amount_usd", f"is not a number: {value!r}")]) from exc
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed([(None, "amount_usd", "must be greater than zero")])
    if amount >= AMOUNT_MAX or amount != round(amount, 2):
        raise ValidationFailed(
            [(None, "amount_usd", "must be dollars and cents below $1,000,000,000,000,000")]
        )
    return amount


def _check(
    *, firm: Firm, account: Account, amount: Decimal, date: dt.date, charity: str, note: str
) -> None:
    errors: list[tuple[int | None, str | None, str]] = []
    if account.tax_status != TaxStatus.TAXABLE:
        errors.append(
            (
                None,
                "account",
                f"a gift of appreciated shares is planned from a taxable account; this one is "
                f"{account.get_tax_status_display().lower()}",
            )
        )
    today = firm_today(firm=firm)
    if date < today:
        errors.append((None, "date", f"must be today ({today:%Y-%m-%d}) or later"))
    if len(charity) > CHARITY_MAX:
        errors.append((None, "charity", f"is longer than {CHARITY_MAX} characters"))
    if len(note) > NOTE_MAX:
        errors.append((None, "note", f"is longer than {NOTE_MAX} characters"))
    if "\x00" in charity + note:
        errors.append((None, "charity" if "\x00" in charity else "note", "contains a NUL"))
    if not errors:
        value = account_value_usd(firm=firm, account=account, as_of=today)
        if amount > value:
            errors.append(
                (
                    None,
                    "amount_usd",
                    f"${amount:,.2f} is more than the account's value of ${value:,.2f}",
                )
            )
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def planned_gift_create(
    *,
    firm: Firm,
    actor: Actor,
    account: Account,
    amount_usd: object,
    date: dt.date,
    charity: str = "",
    note: str = "",
) -> PlannedGift:
    """Plan a gift in kind of up to ``amount_usd`` from ``account`` on ``date``. Refused,
    naming the field, for an account that is not taxable, an amount of zero or less or
    above the account's value, or a date before today; nothing is saved then."""
    if account.firm_id != firm.pk:
        raise DomainError("Not found.", field="account")
    amount = _amount(amount_usd)
    charity, note = charity.strip(), note.strip()
    _check(firm=firm, account=account, amount=amount, date=date, charity=charity, note=note)
    gift = PlannedGift.objects.create(
        firm=firm,
        account=account,
        amount_usd=amount,
        date=date,
        charity=charity,
        note=note,
        created_by=actor.user,
    )
    audit_record(
        firm=firm,
        actor=actor,
        action="gift.plan",
        obj=gift,
        after=snapshot(gift),
        account_id=account.pk,
    )
    return gift


@transaction.atomic
def planned_gift_cancel(*, firm: Firm, actor: Actor, gift: PlannedGift) -> PlannedGift:
    """Cancel a gift not yet recorded (its proposal, if any, stays as it is)."""
    if gift.firm_id != firm.pk:
        raise DomainError("Not found.", field="gift")
    before = gift.status
    transition(
        PlannedGift.objects.filter(pk=gift.pk, firm=firm),
        expected=OPEN,
        to=GiftStatus.CANCELLED,
        conflict="only a planned or proposed gift can be cancelled; this one is recorded "
        "or already cancelled",
    )
    audit_record(
        firm=firm,
        actor=actor,
        action="gift.cancel",
        obj=gift,
        before={"status": before},
        after={"status": GiftStatus.CANCELLED},
        account_id=gift.account_id,
    )
    gift.refresh_from_db()
    return gift


def gifts_mark_proposed(*, firm: Firm, proposals: list[Proposal]) -> int:
    """Link each proposal that gives lots to the gift its night planned (the gift becomes
    proposed). Called where proposals are written, in their transaction."""
    giving = {p.account_id: p for p in proposals if p.pk and gifted_lots(p.result)}
    if not giving:
        return 0
    as_of = next(iter(giving.values())).as_of
    linked = 0
    planned = gifts_to_plan(firm=firm, account_ids=list(giving), as_of=as_of)
    for account_id, gift in planned.items():
        proposal = giving[account_id]
        if proposal.as_of != as_of or (
            gift.proposal is not None and gift.proposal.status in DECIDED
        ):
            continue
        transition(
            PlannedGift.objects.filter(pk=gift.pk, firm=firm),
            expected=OPEN,
            to=GiftStatus.PROPOSED,
            proposal=proposal,
        )
        linked += 1
    return linked


def gifts_record_due(
    *,
    firm: Firm,
    actor: Actor,
    today: dt.date | None = None,
    proposal_ids: list[int] | None = None,
) -> list[PlannedGift]:
    """Record every proposed gift whose proposal is approved and whose date has come (only
    those of ``proposal_ids`` when given). A gift the books refuse (its lots are no longer
    held) stays proposed, logged; the others are recorded."""
    today = today or firm_today(firm=firm)
    due = PlannedGift.objects.for_firm(firm).filter(
        status=GiftStatus.PROPOSED, proposal__status__in=DECIDED, date__lte=today
    )
    if proposal_ids is not None:
        due = due.filter(proposal_id__in=proposal_ids)
    recorded = []
    for gift in due.select_related("account", "proposal").order_by("date", "pk"):
        try:
            recorded.append(gift_record(firm=firm, actor=actor, gift=gift))
        except DomainError:
            if proposal_ids is not None:
                raise
            logger.exception("gift %s of account %s not recorded", gift.pk, gift.account_id)
    return recorded


def _gift_rows(gift: PlannedGift, proposal: Proposal) -> list[dict]:
    """One lot-engine gift per security, naming the lots (a wash-sale piece ``T1#2`` is
    a piece of purchase ``T1``)."""
    by_symbol: dict[str, dict] = {}
    for row in gifted_lots(proposal.result):
        entry = by_symbol.setdefault(
            row.symbol, {"quantity": ZERO, "value": ZERO, "lots": defaultdict(lambda: ZERO)}
        )
        entry["quantity"] += row.quantity
        entry["value"] += row.value_usd
        entry["lots"][row.lot.split("#")[0]] += row.quantity
    return [
        {
            "external_id": f"gift-{gift.pk}-{symbol}",
            "date": gift.date,
            "type": "gift",
            "symbol": symbol,
            "quantity": str(entry["quantity"]),
            "amount_usd": str(entry["value"]),
            "lots": [{"lot": lot, "quantity": str(q)} for lot, q in entry["lots"].items()],
        }
        for symbol, entry in sorted(by_symbol.items())
    ]


@transaction.atomic
def gift_record(*, firm: Firm, actor: Actor, gift: PlannedGift) -> PlannedGift:
    """Enter the gift's lots in the books as lot-engine gifts and mark it recorded."""
    gift = PlannedGift.objects.select_for_update().get(pk=gift.pk, firm=firm)
    proposal = gift.proposal
    if gift.status != GiftStatus.PROPOSED or proposal is None or proposal.status not in DECIDED:
        raise InvalidTransition("only a gift of an approved proposal can be recorded")
    rows = _gift_rows(gift, proposal)
    if not rows:
        raise InvalidTransition("the gift's proposal gives no lots")
    transactions_record(firm=firm, account=gift.account, rows=rows, actor=actor)
    value = sum((Decimal(r["amount_usd"]) for r in rows), ZERO)
    transition(
        PlannedGift.objects.filter(pk=gift.pk, firm=firm),
        expected=GiftStatus.PROPOSED,
        to=GiftStatus.RECORDED,
        recorded_value_usd=value,
        recorded_external_ids=[r["external_id"] for r in rows],
    )
    audit_record(
        firm=firm,
        actor=actor,
        action="gift.record",
        obj=gift,
        before={"status": GiftStatus.PROPOSED},
        after={
            "status": GiftStatus.RECORDED,
            "value_usd": str(value),
            "transactions": [r["external_id"] for r in rows],
            "proposal": proposal.pk,
        },
        account_id=gift.account_id,
    )
    _proposal_done(proposal)
    gift.refresh_from_db()
    return gift


def _proposal_done(proposal: Proposal) -> None:
    """An approved proposal with no trade waiting for fills is filled once its gift is in
    the books."""
    waiting = (
        ProposedTrade.objects.filter(proposal=proposal, held=False)
        .exclude(filled_quantity__gte=F("quantity"))
        .exists()
    )
    if not waiting and proposal.status == ProposalStatus.APPROVED:
        transition(
            Proposal.objects.filter(pk=proposal.pk),
            expected=ProposalStatus.APPROVED,
            to=ProposalStatus.FILLED,
        )
