"""A household managed as one in the nightly run: one problem, a household proposal
grouping its accounts' proposals, held-away accounts in the wash-sale windows, approval as
one or account by account over the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Household
from accounts.services.household_management import held_away_create
from accounts.services.preferences import restriction_add
from firms.models import AuditEvent
from rebalancer.actors import Actor
from tests.api.conftest import key_client
from tests.web.helpers import client_for
from trading.models import HouseholdProposal, HouseholdProposalStatus, Proposal, ProposalStatus
from trading.services.runs import chunk_process, run_start
from trading.tasks import enqueue_chunks

from .builders import AS_OF, etf_universe, funded_account, published_model

pytestmark = pytest.mark.django_db

LOTS = [
    ("VTI", "100", "30000.00", dt.date(2022, 1, 3)),
    ("BND", "250", "18000.00", dt.date(2022, 1, 3)),
]


def _household(
    firm,
    *,
    managed: bool = True,
    opt_out_roth: bool = False,
    weights: dict[str, str] | None = None,
):
    """Taxable, IRA and Roth accounts, each $30,000 VTI, $18,000 BND and $1,000 cash at no
    gain, following 60/38 VTI/BND (or `weights`)."""
    securities = etf_universe()
    model = published_model(
        firm=firm, weights=weights or {"VTI": "0.60", "BND": "0.38"}, securities=securities
    )
    household = Household.objects.create(firm=firm, name="Rivera", managed_as_one=managed)
    accounts = {
        name: funded_account(
            firm=firm,
            model=model,
            securities=securities,
            number=f"HH-{name}",
            lots=LOTS,
            household=household,
            tax_status=status,
        )
        for name, status in (
            ("TAX", "taxable"),
            ("IRA", "tax_deferred"),
            ("ROTH", "tax_exempt"),
        )
    }
    if opt_out_roth:
        accounts["ROTH"].household_opt_out = True
        accounts["ROTH"].save(update_fields=["household_opt_out"])
    return household, accounts


def _run(firm):
    run, chunk_ids = run_start(
        firm=firm, as_of=AS_OF, trigger="command", chunk_size=2, enqueue=enqueue_chunks
    )
    assert len(chunk_ids) == 1  # a household's accounts go in one chunk
    for chunk_id in chunk_ids:
        chunk_process(firm_id=firm.pk, chunk_id=chunk_id)
    return run


def _net(proposal: Proposal, symbol: str) -> Decimal:
    total = Decimal(0)
    for trade in proposal.trades.filter(security__symbol=symbol):
        total += trade.quantity if trade.side == "buy" else -trade.quantity
    return total


def test_a_managed_household_is_one_problem_with_its_bonds_in_the_ira(firm_a):
    # given a managed household whose three accounts each hold the same 60/38 mix
    household, accounts = _household(firm_a)

    # when the night runs
    _run(firm_a)

    # then one household proposal groups the three accounts' proposals
    grouped = HouseholdProposal.objects.get(household=household, as_of=AS_OF)
    assert grouped.status == HouseholdProposalStatus.PENDING_REVIEW
    proposals = {p.account_id: p for p in grouped.proposals.all()}
    assert set(proposals) == {a.pk for a in accounts.values()}
    # and the IRA takes bonds for stocks, the taxable account stocks for bonds
    assert _net(proposals[accounts["IRA"].pk], "BND") > 0
    assert _net(proposals[accounts["IRA"].pk], "VTI") < 0
    assert _net(proposals[accounts["TAX"].pk], "VTI") > 0
    # and the household's figures are the IRA's, within the limit: no drift flag
    summary = grouped.summary
    assert Decimal(summary["location_tax_after"]) < Decimal(summary["location_tax_before"])
    assert "drift_forced" not in grouped.flags
    assert proposals[accounts["IRA"].pk].drift_after == Decimal(summary["drift_after"])


def test_an_account_that_opted_out_is_optimized_on_its_own(firm_a):
    household, accounts = _household(firm_a, opt_out_roth=True)

    _run(firm_a)

    grouped = HouseholdProposal.objects.get(household=household, as_of=AS_OF)
    assert set(grouped.proposals.values_list("account_id", flat=True)) == {
        accounts["TAX"].pk,
        accounts["IRA"].pk,
    }
    roth = Proposal.objects.get(account=accounts["ROTH"], as_of=AS_OF)
    assert roth.household_proposal is None


def test_a_held_away_purchase_keeps_the_taxable_loss_unsold_and_old_data_flags(firm_a, admin_a):
    # given the taxable VTI at a loss, and a 401k that bought VTI five days ago with
    # transactions known only through 40 days ago
    household, accounts = _household(firm_a)
    lot = accounts["TAX"].tax_lots.get(security__symbol="VTI")
    lot.cost_basis_usd = Decimal("45000.00")
    lot.save(update_fields=["cost_basis_usd"])
    held_away_create(
        firm=firm_a,
        actor=Actor.system("test"),
        household=household,
        data={
            "name": "401k",
            "tax_status": "tax_deferred",
            "counts_toward_allocation": False,
            "transactions_through": AS_OF - dt.timedelta(days=40),
            "transactions": [
                {
                    "symbol": "VTI",
                    "trade_date": AS_OF - dt.timedelta(days=5),
                    "side": "buy",
                    "quantity": Decimal("3"),
                }
            ],
        },
    )

    _run(firm_a)

    tax = Proposal.objects.get(account=accounts["TAX"], as_of=AS_OF)
    assert not tax.trades.filter(security__symbol="VTI", side="sell").exists()
    grouped = HouseholdProposal.objects.get(household=household, as_of=AS_OF)
    assert "wash_sale_coverage_incomplete" in grouped.flags
    assert "wash_sale_coverage_incomplete" in tax.flags
    # and the account page says so
    page = client_for(admin_a).get(f"/accounts/{accounts['TAX'].pk}/")
    assert "wash sale coverage incomplete" in page.content.decode()


def test_the_advisor_approves_account_by_account_then_the_rest_over_the_api(firm_a):
    household, accounts = _household(firm_a)
    _run(firm_a)
    api = key_client(firm_a)
    path = f"/api/v1/households/{household.pk}/proposal/"

    # when the IRA alone is approved
    response = api.post(path + "approve/", {"accounts": [accounts["IRA"].pk]}, format="json")

    # then the household proposal is partly approved, the IRA's proposal approved
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "partly_approved"
    status_of = {p["account"]: p["status"] for p in body["proposals"]}
    assert status_of[accounts["IRA"].pk] == "approved"
    assert api.get("/api/v1/household-proposals/").json()["results"][0]["id"] == body["id"]
    # and the other two accounts were optimized again with the IRA's trades fixed: their
    # first proposals superseded by new ones in the same household proposal
    group = Proposal.objects.filter(household_proposal_id=body["id"])
    assert group.filter(status=ProposalStatus.SUPERSEDED).count() == 2
    replaced = group.exclude(status=ProposalStatus.SUPERSEDED)
    assert replaced.count() == 3
    assert AuditEvent.objects.filter(action="household_proposal.reoptimize_rest").exists()
    # the re-optimized household still holds its bonds mostly in the IRA: the taxable
    # account does not buy BND back
    tax = replaced.get(account=accounts["TAX"])
    assert _net(tax, "BND") <= 0

    # and approving the rest approves the household proposal, audited
    assert api.post(path + "approve/", {}, format="json").json()["status"] == "approved"
    assert AuditEvent.objects.filter(action="household_proposal.approved").exists()
    assert not Proposal.objects.filter(
        household_proposal_id=body["id"], status=ProposalStatus.PENDING_REVIEW
    ).exists()


def test_an_account_of_another_household_is_refused_by_name(firm_a):
    household, accounts = _household(firm_a)
    _run(firm_a)
    response = key_client(firm_a).post(
        f"/api/v1/households/{household.pk}/proposal/approve/",
        {"accounts": [999999]},
        format="json",
    )
    assert response.status_code == 400
    assert "accounts" in response.content.decode()


def test_the_management_menu_and_held_away_accounts_over_the_api(firm_a):
    household, accounts = _household(firm_a, managed=False)
    api = key_client(firm_a)
    base = f"/api/v1/households/{household.pk}/"

    changed = api.patch(
        base + "management/",
        {"managed_as_one": True, "opted_out_accounts": [accounts["ROTH"].pk]},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["opted_out_accounts"] == [accounts["ROTH"].pk]
    assert AuditEvent.objects.filter(action="household.management_update").exists()

    bad = api.patch(base + "management/", {"location_horizon_years": "-1"}, format="json")
    assert bad.status_code == 400 and "location_horizon_years" in bad.content.decode()

    created = api.post(
        base + "held-away/",
        {
            "name": "Employer 401(k)",
            "tax_status": "tax_deferred",
            "positions": [{"symbol": "VTI", "quantity": "10", "market_value_usd": "3000.00"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["value_usd"] == "3000.00"
    twice = api.post(
        base + "held-away/",
        {
            "name": "Twice",
            "tax_status": "taxable",
            "positions": [
                {"symbol": "VTI", "quantity": "1", "market_value_usd": "1.00"},
                {"symbol": "VTI", "quantity": "2", "market_value_usd": "2.00"},
            ],
        },
        format="json",
    )
    assert twice.status_code == 400 and "symbol" in twice.content.decode()
    assert [a["name"] for a in api.get(base + "held-away/").json()] == ["Employer 401(k)"]


def test_the_household_page_shows_its_proposal_trades_and_held_away_accounts(firm_a, advisor_a):
    household, accounts = _household(firm_a)
    household.advisor = advisor_a
    household.save(update_fields=["advisor"])
    held_away_create(
        firm=firm_a,
        actor=Actor.system("test"),
        household=household,
        data={"name": "Employer 401(k)", "tax_status": "tax_deferred"},
    )
    _run(firm_a)

    page = client_for(advisor_a).get(f"/households/{household.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Household proposal" in text and "Pending review" in text
    assert "HH-IRA" in text and "BND" in text
    assert "Employer 401(k)" in text and "transactions through unknown" in text


def test_the_household_page_names_the_restrictions_that_hold_it_above_its_limit(firm_a, advisor_a):
    # given a household on a 20/78 model whose taxable account and IRA may not sell their VTI
    household, accounts = _household(firm_a, weights={"VTI": "0.20", "BND": "0.78"})
    household.advisor = advisor_a
    household.save(update_fields=["advisor"])
    for name in ("TAX", "IRA"):
        restriction_add(
            firm=firm_a,
            actor=Actor.system("test"),
            symbol="VTI",
            type="do_not_sell",
            account=accounts[name],
        )

    # when the night runs
    _run(firm_a)

    # then the household is forced above its limit, and each restriction is named with its
    # cost on every account's proposal and on the household page
    grouped = HouseholdProposal.objects.get(household=household, as_of=AS_OF)
    assert "drift_forced" in grouped.flags
    for proposal in grouped.proposals.all():
        forcing = {r["detail"] for r in proposal.binding_rules if r.get("forced_drift")}
        assert forcing == {"account HH-TAX: do_not_sell VTI", "account HH-IRA: do_not_sell VTI"}
    text = client_for(advisor_a).get(f"/households/{household.pk}/").content.decode()
    assert "Forced by restriction (account HH-TAX: do_not_sell VTI: +" in text
