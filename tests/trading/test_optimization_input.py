"""The ORM-to-optimizer translation: what one account's input says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.services.preferences import (
    preferences_update,
    restriction_add,
    screen_add,
    substitution_add,
    withdrawal_add,
)
from models_library.services.model_settings import model_tracking_error_limit_set
from optimizer import case_to_dict, parse_case
from rebalancer.actors import Actor
from tests.factories import PriceFactory, SecurityFactory, TaxLotFactory
from trading.optimization import DataProblem, case_for_account
from trading.selectors.run_inputs import chunk_inputs
from trading.stored_input import pack_input, unpack_input

from .builders import AS_OF, small_book


def _case(firm, account, as_of=AS_OF):
    """The account's case as a proposal stores it (the contract's JSON)."""
    inputs = chunk_inputs(firm=firm, account_ids=[account.pk], as_of=as_of)
    return case_to_dict(case_for_account(inputs.accounts[0], inputs))


def test_menus_become_the_optimizer_input(firm_a, advisor_a):
    securities, _, [account] = small_book(firm=firm_a, accounts=1)
    xom = SecurityFactory(symbol="XOM", sector="Energy", asset_class="us_equity")
    PriceFactory(security=xom, date=AS_OF - dt.timedelta(days=30), close=Decimal("110"))
    preferences_update(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        household=account.household,
        values={
            "short_term_rate": Decimal("0.32"),
            "max_realized_gain_usd": Decimal("5000"),
            "fractional_shares": True,
            "cost_bps": Decimal("2"),
        },
    )
    restriction_add(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=account,
        symbol="XOM",
        type="do_not_sell",
    )
    screen_add(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        household=account.household,
        field="sector",
        value="Energy",
    )
    substitution_add(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=account,
        from_symbol="VTI",
        to_symbol="ITOT",
    )
    withdrawal_add(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        account=account,
        amount_usd="1500",
        start_date=AS_OF + dt.timedelta(days=5),
    )
    case = _case(firm_a, account)
    prefs = case["preferences"]
    assert prefs["tax"]["short_term_rate"] == "0.3200"
    assert prefs["tax"]["max_realized_gain"] == "5000.00"
    assert prefs["cash"]["withdrawal"] == "1500.00"
    assert prefs["trading"] == {
        "min_trade_value": "0.00",
        "fractional_shares": True,
        "cost_bps": "2.00",
    }
    assert {"symbol": "XOM", "type": "do_not_sell"} in prefs["restrictions"]
    assert prefs["screens"] == [{"field": "sector", "value": "Energy"}]
    assert prefs["substitutions"] == [{"from": "VTI", "to": "ITOT"}]
    # XOM is only named by a rule: it is described (with an old price) but is no candidate
    assert case["securities"]["XOM"]["sector"] == "Energy"
    assert {"symbol": "XOM", "type": "do_not_buy"} in prefs["restrictions"]
    # the input is valid for the optimizer
    assert parse_case(case).account_id == account.account_number


def test_swap_partners_of_target_etfs_are_candidates(firm_a):
    from models_library.models import Security

    Security.objects.all().delete()
    securities, _, [account] = small_book(firm=firm_a, accounts=1)
    Security.objects.filter(symbol__in=["VTI", "ITOT", "BND", "AGG"]).update(security_type="etf")
    case = _case(firm_a, account)
    assert {"VTI", "ITOT", "BND", "AGG"} <= set(case["securities"])
    assert (
        case["securities"]["ITOT"]["identical_group"]
        != case["securities"]["VTI"]["identical_group"]
    )


def test_split_lot_pieces_get_distinct_ids(firm_a):
    securities, _, [account] = small_book(firm=firm_a, accounts=1)
    ref = account.tax_lots.first().lot_ref
    TaxLotFactory(
        account=account,
        security=account.tax_lots.first().security,
        lot_ref=ref,
        quantity=Decimal("3"),
        cost_basis_usd=Decimal("310"),
    )
    ids = [lot["id"] for lot in _case(firm_a, account)["lots"]]
    assert len(ids) == len(set(ids))
    assert f"{ref}#2" in ids


def test_stale_price_of_a_held_security_is_a_data_problem(firm_a):
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    with pytest.raises(DataProblem) as info:
        _case(firm_a, account, as_of=AS_OF + dt.timedelta(days=9))
    assert info.value.flag == "stale_price"


def test_packed_input_round_trips_with_its_hash(firm_a):
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    inputs = chunk_inputs(firm=firm_a, account_ids=[account.pk], as_of=AS_OF)
    case = case_for_account(inputs.accounts[0], inputs)
    blob, digest = pack_input(case)
    assert unpack_input(blob) == case_to_dict(case)
    assert parse_case(unpack_input(blob)) == case
    assert len(digest) == 64
    assert pack_input(case)[1] == digest


def test_the_case_carries_the_resolved_risk_menus(firm_a, advisor_a):
    # given an account on the book's model (its securities are typed as stocks: a
    # direct-index model, product default 1.0 %/yr)
    _, model, [account] = small_book(firm=firm_a, accounts=1)
    assert _case(firm_a, account)["preferences"]["risk"] == {
        "tracking_error_limit_pct": "1.0",
        "risk_aversion": "1",
        "min_benefit": "0.00",
        "min_benefit_bps": "3",
        "sector_limit_pct": None,
        "asset_class_limit_pct": None,
    }
    actor = Actor.person(advisor_a)
    # when the model, the household and the account each set some of the menus
    model_tracking_error_limit_set(firm=firm_a, actor=actor, model=model, limit_pct="0.8")
    preferences_update(
        firm=firm_a,
        actor=actor,
        household=account.household,
        values={
            "risk_aversion": Decimal("0.25"),
            "sector_limit_pct": Decimal("2"),
            "asset_class_limit_pct": Decimal("100"),
        },
    )
    preferences_update(
        firm=firm_a,
        actor=actor,
        account=account,
        values={"min_benefit_usd": Decimal("75"), "min_benefit_bps": Decimal("1")},
    )
    # then the case carries what resolves: the model's limit, the household's tax
    # sensitivity and sector limit, no asset-class limit (100 % binds nothing), and the
    # account's minimum benefit
    case = _case(firm_a, account)
    assert case["preferences"]["risk"] == {
        "tracking_error_limit_pct": "0.80",
        "risk_aversion": "0.2500",
        "min_benefit": "75.00",
        "min_benefit_bps": "1.00",
        "sector_limit_pct": "2.00",
        "asset_class_limit_pct": None,
    }
    # and the account's own limit wins over the model's, through the stored input too
    preferences_update(
        firm=firm_a,
        actor=actor,
        account=account,
        values={"tracking_error_limit_pct": Decimal("1.5")},
    )
    typed = parse_case(_case(firm_a, account))
    assert typed.preferences.risk.tracking_error_limit_pct == Decimal("1.5")
    assert typed.preferences.risk.risk_aversion == Decimal("0.25")
