"""Closes before a split read adjusted everywhere they are read: the last close that values
positions (drift, the account page's charts, the nightly run's inputs) and the risk
model's estimation input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from models_library.models import CorporateAction, CorporateActionKind, Price
from models_library.selectors.prices import latest_closes
from models_library.services.risk_models import risk_model_build
from rebalancer.actors import Actor
from risk_model import estimate_risk_model
from tests.factories import SecurityFactory
from tests.trading.builders import AS_OF, small_book
from trading.models import TaxLot
from trading.selectors.holdings import account_positions

from .test_risk_models import _days, _latest, closes  # noqa: F401 - the closes fixture

ACTOR = Actor.system("test")


def _split(security, day, new, old, reference="SPLIT"):
    return CorporateAction.objects.create(
        reference=reference,
        kind=CorporateActionKind.SPLIT,
        security=security,
        effective_date=day,
        ratio_new=Decimal(new),
        ratio_old=Decimal(old),
    )


@pytest.mark.django_db
def test_the_last_close_before_a_split_values_the_shares_after_it(firm_a):
    # given a last close of $150 on the day before a 3-for-2 split, none since
    acme = SecurityFactory(symbol="ACME", identical_group="")
    Price.objects.create(security=acme, date=dt.date(2025, 5, 30), close=Decimal("150"))
    _split(acme, dt.date(2025, 6, 2), "3", "2")

    before = latest_closes(firm=firm_a, symbols=["ACME"], as_of=dt.date(2025, 5, 30))
    after = latest_closes(firm=firm_a, symbols=["ACME"], as_of=dt.date(2025, 6, 2))

    assert before == {"ACME": (dt.date(2025, 5, 30), Decimal("150"))}
    assert after == {"ACME": (dt.date(2025, 5, 30), Decimal("100"))}


@pytest.mark.django_db
def test_positions_are_valued_at_the_adjusted_close_on_the_split_day(firm_a):
    # given the small book's account (VTI 100 at its last close) and a 2-for-1 VTI split
    # the day after that close, with the lots already doubled
    _, _, (account,) = small_book(firm=firm_a, accounts=1)
    vti = Price.objects.filter(security__symbol="VTI", date__lte=AS_OF).latest("date")
    split_day = vti.date + dt.timedelta(days=1)
    _split(vti.security, split_day, "2", "1")
    TaxLot.objects.filter(account=account, security=vti.security).update(quantity=Decimal("200"))

    positions = account_positions(firm=firm_a, account=account, as_of=split_day)

    line = next(p for p in positions if p.symbol == "VTI")
    assert (line.quantity, line.price, line.price_date) == (Decimal("200"), vti.close / 2, vti.date)
    assert line.market_value_usd == Decimal("100") * vti.close


@pytest.mark.django_db
def test_the_risk_model_reads_closes_before_a_split_adjusted(closes):  # noqa: F811
    # given ENE0's shared closes before day 40 stored as they traded: twice the adjusted
    days = _days()
    ene0 = Price.objects.filter(security__symbol="ENE0")
    for price in ene0.filter(date__lt=days[40]):
        price.close *= 2
        price.save()
    first = ene0.first()
    assert first is not None
    _split(first.security, days[40], "2", "1")

    # when the model is built
    risk_model_build(as_of=days[-1], actor=ACTOR)

    # then it is the model of the adjusted series, bit for bit
    typed = _latest(days[-1])
    symbols = list(typed.symbols)
    fresh = estimate_risk_model(
        prices=np.column_stack([closes[s] for s in symbols]),
        symbols=symbols,
        sectors=[
            "" if s == "VTI" else ("Energy" if s.startswith("ENE") else "Financials")
            for s in symbols
        ],
        asset_classes=["etf" if s == "VTI" else "us_equity" for s in symbols],
    )
    assert typed.specific_variance.tobytes() == fresh.specific_variance.tobytes()
    assert typed.loadings.tobytes() == fresh.loadings.tobytes()
