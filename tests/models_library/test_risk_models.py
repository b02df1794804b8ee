"""Stored risk models: built from the shared closes only, idempotent per date, never changed."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction

from models_library.models import FirmPrice, HeldPrice, Price, SecurityType, StoredRiskModel
from models_library.selectors.risk_models import (
    RiskModelMissing,
    latest_risk_model,
    risk_model_by_id,
)
from models_library.services.risk_models import risk_model_build, risk_model_mark_used
from models_library.tasks import build_risk_model
from optimizer.types import RiskModel
from rebalancer.actors import Actor
from rebalancer.rowsecurity import firm_scope
from risk_model import estimate_risk_model
from tests.factories import FirmFactory, SecurityFactory

ON_POSTGRES = "postgres" in os.environ.get("DATABASE_URL", "")
START = dt.date(2024, 1, 1)
DAYS = 80
SECTORS = {"Energy": 6, "Financials": 6}
ACTOR = Actor.system("test")


def _days() -> list[dt.date]:
    days: list[dt.date] = []
    day = START
    while len(days) < DAYS:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _latest(day: dt.date) -> RiskModel:
    model = latest_risk_model(day)
    assert model is not None
    return model


@pytest.fixture
def closes(db) -> dict[str, np.ndarray]:
    """80 weekdays of shared closes for 12 stocks in two sectors and one ETF."""
    rng = np.random.default_rng(3)
    securities = [
        SecurityFactory(symbol=f"{sector[:3].upper()}{i}", sector=sector)
        for sector, count in SECTORS.items()
        for i in range(count)
    ]
    securities.append(
        SecurityFactory(symbol="VTI", sector="", security_type=SecurityType.ETF, asset_class="etf")
    )
    paths = {}
    rows = []
    for security in securities:
        path = np.round(40 * np.cumprod(1 + rng.normal(0, 0.015, DAYS)), 4)
        paths[security.symbol] = path
        rows += [
            Price(security=security, date=day, close=Decimal(str(close)))
            for day, close in zip(_days(), path, strict=True)
        ]
    Price.objects.bulk_create(rows)
    return paths


def test_the_model_is_built_from_the_shared_closes_only(closes):
    # given: a firm's own close and a held one, for a security with no shared close
    firm = FirmFactory()
    own = SecurityFactory(symbol="OWN")
    with firm_scope(firm):
        FirmPrice.objects.create(
            firm=firm, security=own, date=_days()[-1], close=Decimal(10), sent_by="x"
        )
    HeldPrice.objects.create(
        security=own, date=_days()[-2], close=Decimal(10), previous_close=Decimal(5), sent_by="x"
    )
    out = StringIO()
    # when
    call_command("risk_model", stdout=out)
    # then
    stored = StoredRiskModel.objects.get()
    assert stored.as_of == _days()[-1] and stored.version == 1
    assert stored.first_price_date == START
    assert stored.symbols == sorted(closes, key=lambda s: stored.symbols.index(s))
    assert "OWN" not in stored.symbols and len(stored.symbols) == 13
    assert stored.factors[:3] == ["market", "sector:Energy", "sector:Financials"]
    assert stored.name == f"rm-{stored.as_of}-{stored.content_hash[:8]}"
    assert f"risk model {stored.name}" in out.getvalue() and "stored" in out.getvalue()
    assert stored.built_by == "command:risk_model"


def test_the_stored_numbers_are_the_estimate_bit_for_bit(closes):
    built = risk_model_build(as_of=_days()[-1], actor=ACTOR)

    typed = _latest(_days()[-1])

    symbols = list(typed.symbols)
    sectors = [
        "" if s == "VTI" else ("Energy" if s.startswith("ENE") else "Financials") for s in symbols
    ]
    fresh = estimate_risk_model(
        prices=np.column_stack([closes[s] for s in symbols]),
        symbols=symbols,
        sectors=sectors,
        asset_classes=["etf" if s == "VTI" else "us_equity" for s in symbols],
    )
    assert typed.id == built.model.name
    assert typed.loadings.tobytes() == fresh.loadings.tobytes()
    assert typed.factor_covariance.tobytes() == fresh.factor_covariance.tobytes()
    assert typed.specific_variance.tobytes() == fresh.specific_variance.tobytes()


def test_building_twice_for_a_date_stores_one_model_and_changed_closes_a_new_version(closes):
    day = _days()[-1]
    first = risk_model_build(as_of=day, actor=ACTOR)

    again = risk_model_build(as_of=day, actor=ACTOR)
    Price.objects.filter(date=day, security__symbol="VTI").update(close=Decimal("41.5"))
    changed = risk_model_build(as_of=day, actor=ACTOR)

    assert first.created and not again.created and again.model.pk == first.model.pk
    assert changed.created and changed.model.version == 2
    assert _latest(day).id == changed.model.name
    assert (
        risk_model_by_id(name=first.model.name, content_hash_hex=first.model.content_hash)[0]
        == first.model
    )


def test_a_run_uses_the_latest_model_on_or_before_its_date(closes):
    earlier = risk_model_build(as_of=_days()[40], actor=ACTOR).model
    later = risk_model_build(as_of=_days()[60], actor=ACTOR).model

    assert _latest(_days()[50]).id == earlier.name
    assert _latest(_days()[70]).id == later.name
    assert latest_risk_model(_days()[40] - dt.timedelta(days=1)) is None


def test_a_model_never_changes_and_a_used_one_is_never_deleted(closes):
    stored = risk_model_build(as_of=_days()[-1], actor=ACTOR).model
    risk_model_mark_used(name=stored.name)
    stored.refresh_from_db()

    with pytest.raises(DatabaseError), transaction.atomic():
        StoredRiskModel.objects.filter(pk=stored.pk).update(symbols=["X"])
    with pytest.raises(DatabaseError), transaction.atomic():
        StoredRiskModel.objects.filter(pk=stored.pk).update(used_at=None)
    if ON_POSTGRES:
        with pytest.raises(DatabaseError), transaction.atomic():
            StoredRiskModel.objects.filter(pk=stored.pk).delete()
    assert stored.used_at is not None


def test_a_stored_model_whose_numbers_were_altered_is_refused(closes):
    stored = risk_model_build(as_of=_days()[-1], actor=ACTOR).model

    with pytest.raises(RiskModelMissing, match="not stored"):
        risk_model_by_id(name=stored.name, content_hash_hex="0" * 64)


def test_the_daily_task_builds_the_model_once(closes):
    assert build_risk_model() == build_risk_model()
    assert StoredRiskModel.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "yesterday"], "--as-of: 'yesterday' is not a date (YYYY-MM-DD)"),
        ([], "no steward-approved closes are stored"),
        (["--as-of", "2024-01-01"], "closes on at least two dates on or before 2024-01-01"),
    ],
)
def test_bad_input_gets_a_clear_message(db, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("risk_model", *args)


def test_one_date_of_closes_is_not_enough(db):
    Price.objects.create(security=SecurityFactory(symbol="A1"), date=START, close=Decimal(1))

    with pytest.raises(CommandError, match=r"closes on one date only \(2024-01-01\)"):
        call_command("risk_model", "--as-of", "2024-03-01")
