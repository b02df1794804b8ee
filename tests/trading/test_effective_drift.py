"""Drift on the pages, in the lists, on proposals and in the API is the effective drift: an
account that holds SCHB because its household says "SCHB instead of VTI" is on target."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Household, Substitution
from firms.models import Role
from models_library.models import Security, SecurityType
from models_library.services.equivalents import equivalence_set_save
from rebalancer.actors import Actor
from tests.api.conftest import key_client
from tests.factories import PriceFactory, SecurityFactory
from tests.trading.builders import AS_OF, etf_universe, funded_account, published_model
from tests.web.helpers import client_for
from trading.models import Proposal
from trading.optimization import case_for_account
from trading.selectors.account_overview import account_overview
from trading.selectors.run_inputs import chunk_inputs
from trading.services.runs import chunk_process, run_start

BOUGHT = dt.date(2022, 1, 3)


@pytest.fixture
def universe(db):
    securities = etf_universe()
    schb = SecurityFactory(symbol="SCHB", asset_class="us_equity", identical_group="DJ", sector="")
    PriceFactory(security=schb, date=AS_OF, close=Decimal("25.00"))
    Security.objects.update(security_type=SecurityType.ETF)
    return securities | {"SCHB": schb}


def _schwab_account(firm, universe, *, number: str):
    """VTI 60 % / BND 38 % published; the household holds SCHB for VTI: $18,000 SCHB,
    $11,520 BND (38 % of $30,000 less cash), $480 cash."""
    model = published_model(firm=firm, weights={"VTI": "0.60", "BND": "0.38"}, securities=universe)
    household = Household.objects.create(firm=firm, name=f"Schwab {number}")
    Substitution.objects.create(firm=firm, household=household, from_symbol="VTI", to_symbol="SCHB")
    return funded_account(
        firm=firm,
        model=model,
        securities=universe,
        household=household,
        number=number,
        lots=[("SCHB", "720", "15000.00", BOUGHT), ("BND", "160", "11000.00", BOUGHT)],
        cash="480.00",
    )


def _run(firm) -> None:
    run, chunk_ids = run_start(firm=firm, as_of=AS_OF, trigger="command")
    for chunk_id in chunk_ids:
        chunk_process(firm_id=firm.pk, chunk_id=chunk_id)


def test_schb_for_vti_shows_no_drift_on_the_account_page_and_its_proposal(
    firm_a, firm_b, universe, member_factory
):
    # given
    account = _schwab_account(firm_a, universe, number="SCH-1")

    # when
    overview = account_overview(firm=firm_a, account=account, as_of=AS_OF)
    _run(firm_a)

    # then: against the published VTI line it would be 60 % drift
    assert overview.drift is not None and overview.drift < Decimal("0.005")
    targets = {h.symbol: (h.target, h.model_target) for h in overview.holdings}
    assert targets["SCHB"] == (Decimal("0.600000"), Decimal("0"))
    assert targets["VTI"] == (Decimal("0"), Decimal("0.60"))
    proposal = Proposal.objects.get(account=account)
    assert proposal.drift_before == overview.drift
    assert proposal.drift_after <= Decimal("0.005")

    # and the pages and the API show the proposal's effective drift
    advisor = member_factory(firm_a, Role.ADVISOR, "adv")
    Household.objects.filter(firm=firm_a).update(advisor=advisor)
    web = client_for(advisor)
    page = web.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert f'id="account-drift">{overview.drift * 100:.1f} %' in page
    listed = web.get(reverse("accounts"), {"min_drift": "1"}).content.decode()
    assert "SCH-1" not in listed
    api = key_client(firm_a)
    assert api.get(f"/api/v1/proposals/{proposal.pk}/").json()["drift_before"] == str(
        proposal.drift_before
    )
    now = api.get(f"/api/v1/accounts/{account.pk}/drift/").json()
    assert now == {
        "as_of": AS_OF.isoformat(),
        "drift": str(overview.drift),
        "target": {"BND": "0.380000", "SCHB": "0.600000"},
        "lines": [],
        "problem": "",
    }
    assert key_client(firm_b).get(f"/api/v1/accounts/{account.pk}/drift/").status_code == 404


def test_a_tax_swap_partner_in_the_firms_set_is_no_drift(firm_a, universe):
    # given an account on VTI 60 / BND 38 that holds ITOT for VTI (a past tax swap)
    model = published_model(
        firm=firm_a, weights={"VTI": "0.60", "BND": "0.38"}, securities=universe
    )
    account = funded_account(
        firm=firm_a,
        model=model,
        securities=universe,
        number="SWAP-1",
        lots=[("ITOT", "138", "15000.00", BOUGHT), ("BND", "160", "11000.00", BOUGHT)],
        cash="540.00",
    )
    before = account_overview(firm=firm_a, account=account, as_of=AS_OF).drift

    # when the firm keeps VTI and ITOT in one set
    equivalence_set_save(
        firm=firm_a, actor=Actor.system("test"), name="US", symbols=["VTI", "ITOT", "SCHB"]
    )
    after = account_overview(firm=firm_a, account=account, as_of=AS_OF).drift

    # then
    assert before is not None and before > Decimal("0.59")
    assert after is not None and after < Decimal("0.005")


def test_the_case_carries_the_firms_sets_as_far_as_its_securities_go(firm_a, universe):
    # given sets naming funds no account of this firm holds or targets
    account = _schwab_account(firm_a, universe, number="SCH-2")
    SecurityFactory(symbol="SCHX", asset_class="us_equity", sector="")
    SecurityFactory(symbol="VEA", asset_class="intl", sector="")
    SecurityFactory(symbol="IEFA", asset_class="intl", sector="")
    actor = Actor.system("test")
    equivalence_set_save(firm=firm_a, actor=actor, name="US", symbols=["VTI", "SCHB", "SCHX"])
    equivalence_set_save(firm=firm_a, actor=actor, name="Dev", symbols=["VEA", "IEFA"])

    # when
    chunk = chunk_inputs(firm=firm_a, account_ids=[account.pk], as_of=AS_OF)
    case = case_for_account(chunk.accounts[0], chunk)

    # then: only the members among the case's securities, and only sets of two or more
    assert chunk.equivalents == (("IEFA", "VEA"), ("SCHB", "SCHX", "VTI"))
    assert case.equivalents == (("SCHB", "VTI"),)


def test_a_partner_in_the_set_is_the_swap_candidate(firm_a, universe):
    # given VTI's look-alikes ITOT and SCHB, SCHB in VTI's set (ITOT comes first by symbol)
    model = published_model(
        firm=firm_a, weights={"VTI": "0.60", "BND": "0.38"}, securities=universe
    )
    account = funded_account(
        firm=firm_a,
        model=model,
        securities=universe,
        number="SW-3",
        lots=[("VTI", "60", "20000.00", BOUGHT)],
    )
    equivalence_set_save(
        firm=firm_a, actor=Actor.system("test"), name="US", symbols=["VTI", "SCHB"]
    )

    # when
    chunk = chunk_inputs(firm=firm_a, account_ids=[account.pk], as_of=AS_OF)
    symbols = set(case_for_account(chunk.accounts[0], chunk).securities.symbol.tolist())

    # then
    assert "SCHB" in symbols and "ITOT" not in symbols
