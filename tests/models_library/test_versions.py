"""Model drafts, publishing, models of models and assignment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError

from accounts.services.model_assignment import model_assign
from firms.models import AuditEvent
from models_library.models import ModelLine, VersionStatus
from models_library.selectors.resolution import ModelCycleError, model_target_weights
from models_library.services.versions import draft_save, model_create, version_publish
from rebalancer.actors import Actor
from rebalancer.errors import InvalidTransition, ValidationFailed
from tests.factories import AccountFactory, HouseholdFactory, SecurityFactory


@pytest.fixture
def etfs(db):
    return {
        s: SecurityFactory(symbol=s, asset_class=c)
        for s, c in [("VTI", "us_equity"), ("VEA", "intl"), ("BND", "us_bond"), ("AGG", "us_bond")]
    }


def test_draft_publish_and_immutability(firm_a, advisor_a, etfs):
    model = model_create(firm=firm_a, actor=Actor.person(advisor_a), name="Core 60/40")
    draft = draft_save(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        model=model,
        rows=[
            {"security": "VTI", "weight": "0.40"},
            {"security": "vea", "weight": "0.20"},
            {"security": "BND", "weight": "0.38"},
        ],
    )
    version = version_publish(firm=firm_a, actor=Actor.person(advisor_a), version=draft)
    assert version.status == VersionStatus.PUBLISHED
    assert model_target_weights(model=model) == {
        "BND": Decimal("0.38000000"),
        "VEA": Decimal("0.20000000"),
        "VTI": Decimal("0.40000000"),
    }
    with pytest.raises(InvalidTransition):
        version_publish(firm=firm_a, actor=Actor.person(advisor_a), version=version)
    # a new draft is a new version number; the published one keeps its lines
    draft2 = draft_save(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        model=model,
        rows=[{"security": "VTI", "weight": "1"}],
    )
    assert draft2.number == 2
    assert version.lines.count() == 3
    assert AuditEvent.objects.filter(action="model_version.publish").count() == 1


def test_weights_over_100_percent_are_refused_naming_rows(firm_a, advisor_a, etfs):
    model = model_create(firm=firm_a, actor=Actor.person(advisor_a), name="Too much")
    with pytest.raises(ValidationFailed) as info:
        draft_save(
            firm=firm_a,
            actor=Actor.person(advisor_a),
            model=model,
            rows=[
                {"security": "VTI", "weight": "0.7"},
                {"security": "BND", "weight": "0.4"},
                {"security": "ZZZ", "weight": "0.1"},
                {"security": "VEA", "weight": "-1"},
            ],
        )
    errors = info.value.errors
    assert (3, "security", "'ZZZ' is not in the security master") in errors
    assert (4, "weight", "must be greater than 0 and at most 1") in errors
    assert any(field == "weight" and "more than 100 %" in msg for _, field, msg in errors)
    assert not ModelLine.objects.exists()


def test_model_of_models_resolves_and_cycles_are_refused(firm_a, advisor_a, etfs):
    equity = model_create(firm=firm_a, actor=Actor.person(advisor_a), name="Equity")
    version_publish(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        version=draft_save(
            firm=firm_a,
            actor=Actor.person(advisor_a),
            model=equity,
            rows=[{"security": "VTI", "weight": "0.7"}, {"security": "VEA", "weight": "0.3"}],
        ),
    )
    bonds = model_create(firm=firm_a, actor=Actor.person(advisor_a), name="Bonds")
    version_publish(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        version=draft_save(
            firm=firm_a,
            actor=Actor.person(advisor_a),
            model=bonds,
            rows=[{"security": "BND", "weight": "0.5"}, {"security": "AGG", "weight": "0.5"}],
        ),
    )
    blend = model_create(firm=firm_a, actor=Actor.person(advisor_a), name="Blend")
    version_publish(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        version=draft_save(
            firm=firm_a,
            actor=Actor.person(advisor_a),
            model=blend,
            rows=[
                {"sub_model": equity.pk, "weight": "0.6"},
                {"sub_model": bonds.pk, "weight": "0.4"},
            ],
        ),
    )
    weights = model_target_weights(model=blend)
    assert weights == {
        "AGG": Decimal("0.2"),
        "BND": Decimal("0.2"),
        "VEA": Decimal("0.18"),
        "VTI": Decimal("0.42"),
    }
    # equity now tries to include the blend, which includes equity
    with pytest.raises(ModelCycleError):
        draft_save(
            firm=firm_a,
            actor=Actor.person(advisor_a),
            model=equity,
            rows=[{"sub_model": blend.pk, "weight": "1"}],
        )


def test_sub_model_of_other_firm_is_not_found(firm_a, firm_b, advisor_a, advisor_b, etfs):
    theirs = model_create(firm=firm_b, actor=Actor.person(advisor_b), name="Theirs")
    mine = model_create(firm=firm_a, actor=Actor.person(advisor_a), name="Mine")
    with pytest.raises(ValidationFailed) as info:
        draft_save(
            firm=firm_a,
            actor=Actor.person(advisor_a),
            model=mine,
            rows=[{"sub_model": theirs.pk, "weight": "1"}],
        )
    assert info.value.errors[0][1] == "sub_model"


def test_assign_requires_published_model_of_same_firm(firm_a, advisor_a, etfs):
    account = AccountFactory(household=HouseholdFactory(firm=firm_a))
    model = model_create(firm=firm_a, actor=Actor.person(advisor_a), name="M")
    with pytest.raises(ValidationFailed):
        model_assign(firm=firm_a, actor=Actor.person(advisor_a), account=account, model=model)
    version_publish(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        version=draft_save(
            firm=firm_a,
            actor=Actor.person(advisor_a),
            model=model,
            rows=[{"security": "VTI", "weight": "1"}],
        ),
    )
    assignment = model_assign(
        firm=firm_a, actor=Actor.person(advisor_a), account=account, model=model
    )
    assert assignment.model == model


def test_database_refuses_bad_weights(firm_a, advisor_a, etfs):
    model = model_create(firm=firm_a, actor=Actor.person(advisor_a), name="M")
    draft = draft_save(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        model=model,
        rows=[{"security": "VTI", "weight": "0.5"}],
    )
    with pytest.raises(IntegrityError):
        ModelLine.objects.create(
            firm=firm_a, version=draft, security=etfs["BND"], weight=Decimal("-0.1")
        )
