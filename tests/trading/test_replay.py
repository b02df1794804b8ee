"""Replaying a proposal from its stored input."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trading.models import Proposal
from trading.services.replay import proposal_replay
from trading.services.runs import run_start
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
