"""A proposal in the advisor's words: a tax swap as a pair, each trade's reasons as chips
with a tooltip and as a sentence; the client's printable trade report with allocation and
tax effect; the household page's year-to-date tax saved."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from firms.models import Role
from rebalancer.actors import Actor
from tests.factories import ClientFactory, HouseholdFactory
from tests.trading.builders import AS_OF, etf_universe, funded_account, published_model
from tests.web.helpers import client_for
from trading.models import Proposal, ProposedTrade
from trading.services.lot_ledger import transactions_record
from trading.services.runs import chunk_process, run_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def swap_book(firm_a, member_factory):
    """A taxable account holding ITOT (not in the model) at a loss, which sold some ITOT at
    a $3,500 short-term loss in March, and an IRA in the same household."""
    firm_a.turnover_flag_threshold, firm_a.tax_flag_threshold_usd = 1, 10**9
    firm_a.save()
    advisor = member_factory(firm_a, Role.ADVISOR, "swap-advisor")
    securities = etf_universe()
    model = published_model(
        firm=firm_a, weights={"VTI": "0.60", "BND": "0.38"}, securities=securities
    )
    household = HouseholdFactory(firm=firm_a, advisor=advisor, name="Lee household")
    ClientFactory(household=household, first_name="Ana", last_name="Lee")
    taxable = funded_account(
        firm=firm_a,
        model=model,
        securities=securities,
        number="SW-001",
        household=household,
        lots=[
            ("ITOT", "100", "20000.00", dt.date(2025, 1, 2)),
            ("BND", "100", "8000.00", dt.date(2023, 3, 1)),
        ],
    )
    funded_account(
        firm=firm_a,
        model=model,
        securities=securities,
        number="SW-IRA",
        household=household,
        tax_status="tax_deferred",
        lots=[("VTI", "10", "2500.00", dt.date(2022, 1, 3))],
    )
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.person(advisor),
        rows=[
            {
                "external_id": "SW-SELL-1",
                "date": "2025-03-03",
                "type": "sell",
                "symbol": "ITOT",
                "quantity": "50",
                "amount_usd": "6500.00",
            }
        ],
    )
    _, chunk_ids = run_start(firm=firm_a, as_of=AS_OF, trigger="command")
    for chunk_id in chunk_ids:
        chunk_process(firm_id=firm_a.pk, chunk_id=chunk_id)
    proposal = Proposal.objects.get(firm=firm_a, account=taxable)
    return {"advisor": advisor, "household": household, "account": taxable, "proposal": proposal}


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_tax_swap_reads_as_a_pair(swap_book):
    # given a proposal that sells the ITOT at a loss and buys VTI
    proposal = swap_book["proposal"]
    sale = ProposedTrade.objects.get(proposal=proposal, side="sell", security__symbol="ITOT")
    assert sale.realized_gain_usd == Decimal("-3500.00")
    assert ProposedTrade.objects.filter(proposal=proposal, side="buy", security__symbol="VTI")
    # when the advisor opens it
    page = _page(client_for(swap_book["advisor"]), reverse("proposal_detail", args=[proposal.pk]))
    # then the swap is one sentence naming both sides and the tax it saves
    saved = next(
        Decimal(d["amount"])
        for t in proposal.result["trades"]
        if t["side"] == "sell" and t["symbol"] == "ITOT"
        for d in t["reason_details"]
        if d["unit"] == "USD tax saved"
    )
    assert saved == Decimal("1295.00")
    assert (
        "Sell ITOT at a $3,500 loss, buy VTI to stay invested (about $1,295 of tax saved)." in page
    )


def test_each_reason_is_a_chip_with_a_tooltip_and_a_sentence(swap_book):
    proposal = swap_book["proposal"]
    page = _page(client_for(swap_book["advisor"]), reverse("proposal_detail", args=[proposal.pk]))
    assert (
        "title=\"Sold at a loss to offset gains and lower this year's tax; the proceeds are "
        'reinvested in a similar, not substantially identical, security." '
        'data-reason="tax_loss_harvest">Tax-loss harvest</span>' in page
    )
    assert (
        "Cuts tracking error by 9.03 % a year; $1,295 tax saved (loss harvest, replaced by VTI)."
        in page
    )
    # the BND sale harvests a loss while rebalancing: no swap, as nothing similar is bought
    assert "Sell BND" not in page


def test_the_client_trade_report(swap_book):
    proposal = swap_book["proposal"]
    page = _page(client_for(swap_book["advisor"]), reverse("proposal_report", args=[proposal.pk]))
    assert "Ana Lee · " in page
    assert "SW-001" in page
    # ITOT's $3,500 short-term loss and BND's $192 long-term loss
    assert '<th scope="row">Losses harvested</th><td class="num">$3,692.00</td>' in page
    assert (
        '<th scope="row">Tax saved by the harvested losses (estimate)</th>'
        '<td class="num">$1,333.40</td>' in page
    )
    # $14,700: ITOT $6,500, BND $7,200, cash $1,000 before; VTI $8,700, BND $5,472 after
    assert (
        '<th scope="row">us equity</th><td class="num">44.2 %</td><td class="num">59.2 %</td>'
        '<td class="num">60.0 %</td>' in page
    )
    assert (
        '<th scope="row">us bond</th><td class="num">49.0 %</td><td class="num">37.2 %</td>'
        '<td class="num">38.0 %</td>' in page
    )
    assert (
        '<th scope="row">Cash</th><td class="num">6.8 %</td><td class="num">3.6 %</td>'
        '<td class="num">2.0 %</td>' in page
    )
    assert "Sell ITOT at a $3,500 loss, buy VTI to stay invested" in page


def test_the_household_shows_tax_saved_this_year(swap_book):
    page = _page(
        client_for(swap_book["advisor"]),
        reverse("household_detail", args=[swap_book["household"].pk]),
    )
    # the March sale's $3,500 short-term loss at the default 37 % short-term rate
    assert (
        '<th scope="row"><a href="/accounts/{}/">SW-001</a></th><td class="num">$3,500.00</td>'
        '<td class="num">37.0 %</td>'.format(swap_book["account"].pk)
        in page
    )
    assert "Tax saved 2025 to date" in page
    assert '<div class="v pos">$1,295.00</div>' in page
    saved = page[page.index('id="tax-saved-accounts"') :]
    assert "SW-IRA" not in saved[: saved.index("</table>")]


def test_another_firm_sees_no_report(swap_book, advisor_b):
    url = reverse("proposal_report", args=[swap_book["proposal"].pk])
    assert client_for(advisor_b).get(url).status_code == 404
