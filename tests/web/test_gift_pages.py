"""An advisor plans and cancels a charitable gift on the account page (bad input refused
naming the field, nothing saved; another firm's people get nothing), and a proposal that
gives lots shows them apart from its trades with their value and the tax avoided.

The book (``tests.trading.builders.small_book``): account 0 holds 100 VTI bought in 2022
for $20,000, now $300 a share. A $3,000 gift gives 10 VTI: basis $2,000, $1,000 of gain
never taxed, $200 at the 20 % long-term rate.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from firms.models import AuditEvent
from rebalancer.actors import Actor
from tests.trading.builders import AS_OF
from tests.web.helpers import client_for
from trading.models import GiftStatus, PlannedGift
from trading.services.review import proposal_reoptimize

SOON = dt.date.today() + dt.timedelta(days=10)


def test_an_advisor_plans_and_cancels_a_gift_on_the_account_page(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    page = advisor.get(reverse("account_detail", args=[account.pk]))
    assert page.status_code == 200
    assert b'id="gift-form"' in page.content
    url = reverse("account_gifts", args=[account.pk])
    # bad input: each refused naming its field, nothing saved
    for amount, day, words in (
        ("0", SOON, b"must be greater than zero"),
        ("999999.00", SOON, b"is more than the account&#x27;s value"),
        ("100.00", dt.date.today() - dt.timedelta(days=2), b"or later"),
        ("", SOON, b"This field is required"),
    ):
        response = advisor.post(
            url, {"gift-amount_usd": amount, "gift-date": day.isoformat(), "gift-charity": "X"}
        )
        assert response.status_code == 400, amount
        assert words in response.content, (amount, response.content[-3000:])
    assert not PlannedGift.objects.exists()
    # a good gift is saved, audited and listed
    response = advisor.post(
        url,
        {
            "gift-amount_usd": "3000.00",
            "gift-date": SOON.isoformat(),
            "gift-charity": "Red Cross",
            "gift-note": "Year-end",
        },
    )
    assert response.status_code == 302
    gift = PlannedGift.objects.get()
    assert (gift.amount_usd, gift.date, gift.charity, gift.status) == (
        Decimal("3000.00"),
        SOON,
        "Red Cross",
        GiftStatus.PLANNED,
    )
    assert AuditEvent.objects.filter(action="gift.plan", account_id_ref=account.pk).exists()
    page = advisor.get(reverse("account_detail", args=[account.pk]))
    assert f'id="gift-{gift.pk}"'.encode() in page.content
    assert b"Red Cross" in page.content
    # compliance reads but cannot plan or cancel
    compliance = client_for(book.people["compliance"])
    assert compliance.get(url).status_code == 200
    denied = compliance.post(url, {"gift-amount_usd": "10", "gift-date": SOON.isoformat()})
    assert denied.status_code == 403
    cancel = reverse("account_gift_cancel", args=[account.pk, gift.pk])
    assert compliance.post(cancel).status_code == 403
    # the advisor cancels it
    assert advisor.post(cancel).status_code == 302
    gift.refresh_from_db()
    assert gift.status == GiftStatus.CANCELLED
    assert AuditEvent.objects.filter(action="gift.cancel", account_id_ref=account.pk).exists()


def test_another_firm_gets_nothing_of_a_gift(book, outsiders):
    account = book.accounts[0]
    gift = PlannedGift.objects.create(
        firm=book.firm, account=account, amount_usd=Decimal("3000.00"), date=SOON
    )
    outsider = client_for(outsiders["advisor"])
    url = reverse("account_gifts", args=[account.pk])
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"gift-amount_usd": "1", "gift-date": SOON}).status_code == 404
    cancel = reverse("account_gift_cancel", args=[account.pk, gift.pk])
    assert outsider.post(cancel).status_code == 404
    gift.refresh_from_db()
    assert gift.status == GiftStatus.PLANNED
    assert PlannedGift.objects.count() == 1


def test_the_proposal_shows_the_gifted_lots_apart_from_the_trades(book):
    account = book.accounts[0]
    PlannedGift.objects.create(
        firm=book.firm,
        account=account,
        amount_usd=Decimal("3000.00"),
        date=AS_OF + dt.timedelta(days=5),
        charity="Red Cross",
    )
    proposal = proposal_reoptimize(
        firm=book.firm, actor=Actor.person(book.people["advisor"]), account=account, as_of=AS_OF
    )
    assert proposal.optimizer_status == "optimal", proposal.message
    page = client_for(book.people["advisor"]).get(reverse("proposal_detail", args=[proposal.pk]))
    text = page.content.decode()
    assert 'id="proposal-gift"' in text
    assert "given to Red Cross" in text
    assert '<strong id="gift-value">$3,000.00</strong>' in text
    assert '<strong id="gift-tax-avoided">$200.00</strong>' in text
    lots = text[text.index('id="gift-lots"') : text.index("</table>", text.index('id="gift-lots"'))]
    assert "VTI" in lots and "$1,000.00" in lots
    assert PlannedGift.objects.get().proposal_id == proposal.pk
