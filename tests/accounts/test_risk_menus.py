"""The risk menus: a tracking-error limit resolved account > household > model > product
default by the model's kind, tax sensitivity, minimum benefit, sector and asset-class
limits; every change audited, bad input refused naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms

from accounts.forms import PreferencesForm
from accounts.models import PreferenceSet
from accounts.selectors.preferences import effective_preferences
from accounts.services.preferences import preferences_update
from firms.models import AuditEvent
from models_library.models import ModelPortfolio, ModelVersion, VersionStatus
from models_library.selectors.model_defaults import ModelKind, model_defaults
from models_library.services.model_settings import model_tracking_error_limit_set
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed
from tests.factories import (
    AccountFactory,
    HouseholdFactory,
    ModelAssignmentFactory,
    ModelLineFactory,
    ModelPortfolioFactory,
    ModelVersionFactory,
    SecurityFactory,
)

AS_OF = dt.date(2025, 6, 30)


def _published(firm, lines: dict) -> ModelPortfolio:
    """A model with one published version; ``lines`` maps a Security or a sub-model to its
    weight."""
    model = ModelPortfolioFactory(firm=firm)
    version = ModelVersionFactory(model=model, number=1, published_at=dt.datetime.now(dt.UTC))
    for holding, weight in lines.items():
        if isinstance(holding, ModelPortfolio):
            ModelLineFactory(version=version, security=None, sub_model=holding, weight=weight)
        else:
            ModelLineFactory(version=version, security=holding, weight=weight)
    ModelVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PUBLISHED)
    return model


def _stock(symbol: str):
    return SecurityFactory(symbol=symbol, security_type="stock")


def _etf(symbol: str):
    return SecurityFactory(symbol=symbol, security_type="etf", sector="")


@pytest.fixture
def etf_model(firm_a):
    return _published(firm_a, {_etf("VTI"): Decimal("0.6"), _etf("BND"): Decimal("0.4")})


@pytest.fixture
def direct_index_model(firm_a):
    return _published(
        firm_a,
        {
            _stock("AAPL"): Decimal("0.3"),
            _stock("MSFT"): Decimal("0.3"),
            _etf("BND"): Decimal("0.4"),
        },
    )


def _account_on(firm, model):
    account = AccountFactory(household=HouseholdFactory(firm=firm))
    ModelAssignmentFactory(account=account, model=model)
    return account


def _limit(firm, account) -> tuple[Decimal, str, str]:
    prefs = effective_preferences(firm=firm, account=account, as_of=AS_OF)
    name = "tracking_error_limit_pct"
    return prefs.values[name], prefs.sources[name], prefs.source_text(name)


def test_product_default_follows_the_models_kind(firm_a, etf_model, direct_index_model):
    etf_account = _account_on(firm_a, etf_model)
    direct_account = _account_on(firm_a, direct_index_model)
    no_model = AccountFactory(household=HouseholdFactory(firm=firm_a))

    assert _limit(firm_a, etf_account) == (Decimal("0.5"), "default", "default for an ETF model")
    assert _limit(firm_a, direct_account) == (
        Decimal("1.0"),
        "default",
        "default for a direct-index model",
    )
    assert _limit(firm_a, no_model) == (Decimal("0.5"), "default", "default for an ETF model")


def test_resolution_order_account_household_model_default(firm_a, advisor_a, direct_index_model):
    # given an account on a direct-index model (product default 1.0 %/yr)
    account = _account_on(firm_a, direct_index_model)
    actor = Actor.person(advisor_a)
    # when the model sets its own limit, it replaces the product default
    model_tracking_error_limit_set(
        firm=firm_a, actor=actor, model=direct_index_model, limit_pct="0.80"
    )
    name = direct_index_model.name
    assert _limit(firm_a, account) == (Decimal("0.80"), "model", f"model {name}")
    # then the household's default wins over the model's
    preferences_update(
        firm=firm_a,
        actor=actor,
        household=account.household,
        values={"tracking_error_limit_pct": Decimal("0.7")},
    )
    assert _limit(firm_a, account) == (Decimal("0.70"), "household", "household")
    # and the account's override over the household's
    preferences_update(
        firm=firm_a, actor=actor, account=account, values={"tracking_error_limit_pct": "0.6"}
    )
    assert _limit(firm_a, account) == (Decimal("0.60"), "account", "account")
    # clearing the overrides walks back down the order
    preferences_update(
        firm=firm_a, actor=actor, account=account, values={"tracking_error_limit_pct": None}
    )
    preferences_update(
        firm=firm_a,
        actor=actor,
        household=account.household,
        values={"tracking_error_limit_pct": None},
    )
    assert _limit(firm_a, account)[:2] == (Decimal("0.80"), "model")
    model_tracking_error_limit_set(
        firm=firm_a, actor=actor, model=direct_index_model, limit_pct=None
    )
    assert _limit(firm_a, account)[:2] == (Decimal("1.0"), "default")


def test_the_other_menus_resolve_account_household_default(firm_a, advisor_a, etf_model):
    account = _account_on(firm_a, etf_model)
    prefs = effective_preferences(firm=firm_a, account=account, as_of=AS_OF)
    assert (prefs.risk_aversion, prefs.min_benefit_usd) == (Decimal("1"), Decimal("0.00"))
    assert prefs.min_benefit_bps == Decimal("3")
    assert (prefs.sector_limit_pct, prefs.asset_class_limit_pct) == (None, None)
    actor = Actor.person(advisor_a)
    preferences_update(
        firm=firm_a,
        actor=actor,
        household=account.household,
        values={"risk_aversion": Decimal("0.25"), "sector_limit_pct": Decimal("2")},
    )
    preferences_update(
        firm=firm_a,
        actor=actor,
        account=account,
        values={"min_benefit_usd": Decimal("50"), "sector_limit_pct": Decimal("3")},
    )
    prefs = effective_preferences(firm=firm_a, account=account, as_of=AS_OF)
    assert prefs.risk_aversion == Decimal("0.25")
    assert prefs.sources["risk_aversion"] == "household"
    assert (prefs.min_benefit_usd, prefs.sources["min_benefit_usd"]) == (Decimal("50"), "account")
    assert (prefs.sector_limit_pct, prefs.sources["sector_limit_pct"]) == (Decimal("3"), "account")
    assert prefs.sources["asset_class_limit_pct"] == "default"


def test_a_model_of_models_is_direct_index_when_stocks_hold_most_of_its_weight(firm_a):
    stocks = _published(firm_a, {_stock("AAPL"): Decimal("0.5"), _stock("MSFT"): Decimal("0.5")})
    bonds = _published(firm_a, {_etf("BND"): Decimal("1")})
    mostly_stocks = _published(firm_a, {stocks: Decimal("0.6"), bonds: Decimal("0.4")})
    mostly_bonds = _published(firm_a, {stocks: Decimal("0.4"), bonds: Decimal("0.6")})
    unpublished = ModelPortfolioFactory(firm=firm_a)

    kinds = model_defaults(
        firm=firm_a,
        model_ids=[m.pk for m in (stocks, bonds, mostly_stocks, mostly_bonds, unpublished)],
    )

    assert kinds[stocks.pk].kind == ModelKind.DIRECT_INDEX
    assert kinds[bonds.pk].kind == ModelKind.ETF
    assert kinds[mostly_stocks.pk].kind == ModelKind.DIRECT_INDEX
    assert kinds[mostly_bonds.pk].kind == ModelKind.ETF
    assert kinds[unpublished.pk].kind == ModelKind.ETF


def test_another_firms_model_gives_nothing(firm_a, firm_b, etf_model):
    assert model_defaults(firm=firm_b, model_ids=[etf_model.pk]) == {}


def test_every_change_is_audited_with_before_and_after(firm_a, advisor_a, etf_model):
    account = _account_on(firm_a, etf_model)
    actor = Actor.person(advisor_a)
    preferences_update(
        firm=firm_a,
        actor=actor,
        account=account,
        values={
            "tracking_error_limit_pct": Decimal("0.75"),
            "risk_aversion": Decimal("4"),
            "min_benefit_usd": Decimal("25"),
            "sector_limit_pct": Decimal("2"),
            "asset_class_limit_pct": Decimal("5"),
        },
    )
    model_tracking_error_limit_set(firm=firm_a, actor=actor, model=etf_model, limit_pct="0.4")
    model_tracking_error_limit_set(firm=firm_a, actor=actor, model=etf_model, limit_pct="0.40")

    event = AuditEvent.objects.get(action="preferences.update")
    assert (event.actor, event.account_id_ref) == (advisor_a, account.pk)
    assert event.before == {
        "tracking_error_limit_pct": None,
        "risk_aversion": None,
        "min_benefit_usd": None,
        "sector_limit_pct": None,
        "asset_class_limit_pct": None,
    }
    assert event.after == {
        "tracking_error_limit_pct": "0.75",
        "risk_aversion": "4.0000",
        "min_benefit_usd": "25.00",
        "sector_limit_pct": "2.00",
        "asset_class_limit_pct": "5.00",
    }
    # the model's limit: one event (the second call changed nothing)
    model_event = AuditEvent.objects.get(action="model.update")
    assert (model_event.actor, model_event.object_id) == (advisor_a, str(etf_model.pk))
    assert model_event.before == {"tracking_error_limit_pct": None}
    assert model_event.after == {"tracking_error_limit_pct": "0.40"}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"tracking_error_limit_pct": Decimal("-1")}, "tracking_error_limit_pct", "greater than 0"),
        ({"tracking_error_limit_pct": Decimal("0")}, "tracking_error_limit_pct", "greater than 0"),
        ({"tracking_error_limit_pct": Decimal("101")}, "tracking_error_limit_pct", "at most 100"),
        ({"tracking_error_limit_pct": "lots"}, "tracking_error_limit_pct", "decimal number"),
        ({"sector_limit_pct": Decimal("-0.5")}, "sector_limit_pct", "must not be negative"),
        ({"asset_class_limit_pct": Decimal("150")}, "asset_class_limit_pct", "at most 100"),
        ({"risk_aversion": Decimal("0")}, "risk_aversion", "greater than 0"),
        ({"min_benefit_usd": Decimal("-5")}, "min_benefit_usd", "must not be negative"),
    ],
)
def test_bad_menu_values_are_refused_naming_the_field(
    firm_a, advisor_a, etf_model, values, field, message
):
    account = _account_on(firm_a, etf_model)
    with pytest.raises(ValidationFailed) as info:
        preferences_update(
            firm=firm_a, actor=Actor.person(advisor_a), account=account, values=values
        )
    assert info.value.errors[0][1] == field
    assert message in info.value.errors[0][2]
    assert not PreferenceSet.objects.filter(account=account).exclude(**{field: None}).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("limit", "message"),
    [("-1", "greater than 0"), ("100.5", "at most 100"), ("abc", "not a number")],
)
def test_a_bad_model_limit_is_refused_naming_the_field(
    firm_a, advisor_a, etf_model, limit, message
):
    with pytest.raises(ValidationFailed) as info:
        model_tracking_error_limit_set(
            firm=firm_a, actor=Actor.person(advisor_a), model=etf_model, limit_pct=limit
        )
    assert info.value.errors[0][1] == "tracking_error_limit_pct"
    assert message in info.value.errors[0][2]
    etf_model.refresh_from_db()
    assert etf_model.tracking_error_limit_pct is None
    assert not AuditEvent.objects.exists()


def _form(data: dict) -> PreferencesForm:
    return PreferencesForm(data={"harvest_losses": "", **data}, for_account=True)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("tracking_error_limit_pct", "-1", "Must be greater than 0 (percent a year)."),
        ("tracking_error_limit_pct", "100.01", "Must be at most 100 (percent a year)."),
        ("tracking_error_limit_pct", "one", "Enter a number (percent a year)."),
        ("sector_limit_pct", "-2", "Must not be negative (percent)."),
        ("asset_class_limit_pct", "120", "Must be at most 100 (percent)."),
        ("min_benefit_usd", "-1", "Ensure this value is greater than or equal to 0."),
        ("risk_aversion", "-3", "Select a valid choice. -3 is not one of the available choices."),
    ],
)
def test_the_form_refuses_bad_input_on_the_field(name, value, message):
    form = _form({name: value})
    assert not form.is_valid()
    assert form.errors[name] == [message]


def test_the_form_gives_the_service_its_units_and_levels():
    form = _form(
        {
            "tracking_error_limit_pct": "0.75",
            "risk_aversion": "0.25",
            "min_benefit_usd": "100",
            "sector_limit_pct": "2",
            "asset_class_limit_pct": "",
        }
    )
    assert form.is_valid(), form.errors
    values = form.service_values()
    assert values["tracking_error_limit_pct"] == Decimal("0.75")
    assert values["risk_aversion"] == Decimal("0.25")
    assert values["min_benefit_usd"] == Decimal("100")
    assert values["sector_limit_pct"] == Decimal("2")
    assert values["asset_class_limit_pct"] is None


def test_a_risk_aversion_set_through_the_api_stays_a_choice_on_the_page():
    own = PreferenceSet(risk_aversion=Decimal("2.5000"))
    form = PreferencesForm(initial=PreferencesForm.initial_from(own), for_account=True)
    assert form["risk_aversion"].value() == "2.5"
    field = form.fields["risk_aversion"]
    assert isinstance(field, forms.ChoiceField)
    assert ("2.5", "Custom: risk aversion 2.5") in list(field.choices)  # type: ignore[arg-type]
    # saved again unchanged, it keeps its number
    again = _form({"risk_aversion": "2.5"})
    assert again.is_valid(), again.errors
    assert again.service_values()["risk_aversion"] == Decimal("2.5")
