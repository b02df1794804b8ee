"""Replaying a proposal from its stored input."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from models_library.models import Price, StoredRiskModel
from models_library.selectors import risk_models
from models_library.selectors.risk_models import latest_risk_model
from models_library.services.risk_models import risk_model_build
from rebalancer.actors import Actor
from trading.models import Proposal
from trading.services.replay import proposal_replay
from trading.services.runs import run_start
from trading.stored_input import stored_case, unpack_input
from trading.tasks import enqueue_chunks

from .builders import AS_OF, small_book


@pytest.fixture
def proposal(firm_a):
    small_book(firm=firm_a, accounts=1)
    run_start(firm=firm_a, as_of=AS_OF, trigger="command", enqueue=enqueue_chunks)
    return Proposal.objects.get()


@pytest.mark.django_db(transaction=True)
def test_replay_reproduces_the_proposal(proposal):
    out = io.StringIO()
    call_command("replay", str(proposal.pk), stdout=out)
    assert "reproduced exactly" in out.getvalue()
    assert proposal.input_sha256 in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_replay_shows_how_a_changed_proposal_differs(proposal):
    stored = proposal.result
    trade = stored["trades"][0]
    trade["quantity"] = str(int(float(trade["quantity"])) + 7)
    Proposal.objects.filter(pk=proposal.pk).update(result=stored)
    out = io.StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("replay", str(proposal.pk), stdout=out)
    assert info.value.code == 1
    assert f"{trade['side']} {trade['symbol']}: stored {trade['quantity']}" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_replay_detects_a_tampered_input(proposal):
    import zlib

    raw = zlib.decompress(proposal.input_blob).replace(b'"taxable"', b'"tax_exempt"')
    Proposal.objects.filter(pk=proposal.pk).update(input_blob=zlib.compress(raw))
    replay = proposal_replay(firm=proposal.firm, proposal_id=proposal.pk)
    assert not replay.input_intact
    assert not replay.identical


@pytest.mark.django_db(transaction=True)
def test_replay_is_firm_scoped_and_unknown_ids_are_clear(proposal, firm_b):
    from rebalancer.errors import DomainError

    with pytest.raises(DomainError):
        proposal_replay(firm=firm_b, proposal_id=proposal.pk)
    with pytest.raises(CommandError, match="not found"):
        call_command("replay", "999999")


# --- with the platform's risk model -----------------------------------------------------


@pytest.fixture
def modelled_proposal(firm_a):
    """The small book's run, with a risk model estimated from 120 days of shared closes."""
    securities, _, _ = small_book(firm=firm_a, accounts=1)
    rng = np.random.default_rng(5)
    days = [
        AS_OF - dt.timedelta(days=k)
        for k in range(1, 170)
        if (AS_OF - dt.timedelta(days=k)).weekday() < 5
    ][:120]
    market = rng.normal(0, 0.01, len(days))
    rows = []
    for symbol, security in securities.items():
        returns = market * (0.2 if symbol in ("BND", "AGG") else 1.0) + rng.normal(
            0, 0.004, len(days)
        )
        closes = float(security.prices.get(date=AS_OF).close) / np.cumprod(1 + returns)
        rows += [
            Price(security=security, date=day, close=Decimal(f"{close:.4f}"))
            for day, close in zip(days, closes, strict=True)
        ]
    Price.objects.bulk_create(rows)
    stored = risk_model_build(as_of=AS_OF, actor=Actor.system("test")).model
    run_start(firm=firm_a, as_of=AS_OF, trigger="command", enqueue=enqueue_chunks)
    return Proposal.objects.get(), stored


@pytest.mark.django_db(transaction=True)
def test_the_stored_input_names_the_risk_model_by_id_and_hash_only(modelled_proposal):
    proposal, stored = modelled_proposal

    stored_input = unpack_input(proposal.input_blob)

    assert stored_input["risk_model"] == {"id": stored.name, "content_hash": stored.content_hash}
    assert StoredRiskModel.objects.get(pk=stored.pk).used_at is not None


@pytest.mark.django_db(transaction=True)
def test_replay_reloads_the_risk_model_and_reproduces_the_proposal(modelled_proposal):
    proposal, stored = modelled_proposal
    used = latest_risk_model(AS_OF)
    risk_models._typed.clear()  # replay reads the model back from the database
    out = io.StringIO()

    call_command("replay", str(proposal.pk), stdout=out)

    assert "reproduced exactly" in out.getvalue()
    reloaded = stored_case(proposal.input_blob).risk_model
    assert reloaded is not None and used is not None and reloaded is not used
    assert reloaded.id == stored.name
    for name in ("loadings", "factor_covariance", "specific_variance"):
        assert getattr(reloaded, name).tobytes() == getattr(used, name).tobytes()


@pytest.mark.django_db(transaction=True)
def test_a_replay_whose_risk_model_is_not_stored_says_so(modelled_proposal):
    import zlib

    proposal, stored = modelled_proposal
    raw = zlib.decompress(proposal.input_blob).replace(stored.content_hash.encode(), b"0" * 64)
    Proposal.objects.filter(pk=proposal.pk).update(input_blob=zlib.compress(raw))

    with pytest.raises(CommandError, match=f"risk model {stored.name} with hash 000000000000"):
        call_command("replay", str(proposal.pk))
