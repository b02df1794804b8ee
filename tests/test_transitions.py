"""Status changes: every status map is complete and consulted, and a transition is a
conditional update that moves exactly one row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from firms.models import AuditEvent
from models_library.models import HeldPrice, ModelVersion
from models_library.services.versions import version_publish
from rebalancer.actors import Actor
from rebalancer.errors import InvalidTransition
from rebalancer.transitions import transition, transition_all
from tests.factories import (
    AccountFactory,
    HouseholdFactory,
    ModelLineFactory,
    ModelVersionFactory,
    SecurityFactory,
)
from trading.models import (
    Blotter,
    BlotterStatus,
    HouseholdProposal,
    PlannedGift,
    Proposal,
    ProposalStatus,
    Reconciliation,
    Run,
    RunChunk,
)
from trading.services.blotters import blotter_approve
from trading.services.review import proposal_approve

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 6, 30)


def _row(model, firm, status: str):
    """One row of ``model`` with ``status``, of ``firm`` where the table is firm-owned."""
    if model is Run:
        return Run.objects.create(firm=firm, as_of=AS_OF, trigger="command", status=status)
    if model is RunChunk:
        run = Run.objects.create(firm=firm, as_of=AS_OF, trigger="command")
        return RunChunk.objects.create(firm=firm, run=run, number=1, account_ids=[], status=status)
    if model is Proposal:
        account = AccountFactory(household__firm=firm)
        return Proposal.objects.create(
            firm=firm, account=account, as_of=AS_OF, status=status, optimizer_status="optimal"
        )
    if model is Blotter:
        return Blotter.objects.create(firm=firm, number=1, status=status)
    if model is ModelVersion:
        return ModelVersionFactory(model__firm=firm, status=status, published_at=timezone.now())
    if model is HeldPrice:
        return HeldPrice.objects.create(
            security=SecurityFactory(),
            date=AS_OF,
            close=Decimal("10"),
            previous_close=Decimal("5"),
            sent_by="key:1",
            status=status,
        )
    if model is Reconciliation:
        return Reconciliation.objects.create(
            firm=firm,
            account=AccountFactory(household__firm=firm),
            as_of=AS_OF,
            status=status,
            cash_custodian_usd=Decimal("0"),
            cash_ledger_usd=Decimal("0"),
        )
    if model is HouseholdProposal:
        return HouseholdProposal.objects.create(
            firm=firm,
            household=HouseholdFactory(firm=firm),
            as_of=AS_OF,
            status=status,
            optimizer_status="optimal",
        )
    if model is PlannedGift:
        return PlannedGift.objects.create(
            firm=firm,
            account=AccountFactory(household__firm=firm),
            amount_usd=Decimal("1000"),
            date=AS_OF,
            status=status,
        )
    raise AssertionError(f"no row builder for {model.__name__}: add one to test its map")


MAPPED = [m for m in apps.get_models() if hasattr(m, "ALLOWED_TRANSITIONS")]


def _statuses(model) -> list[str]:
    return [value for value, _ in model._meta.get_field("status").choices]


PAIRS = [
    pytest.param(model, frm, to, id=f"{model.__name__}-{frm}-{to}")
    for model in MAPPED
    for frm in _statuses(model)
    for to in _statuses(model)
]


def test_every_status_model_has_a_complete_map():
    assert {m.__name__ for m in MAPPED} == {
        "Run",
        "RunChunk",
        "Proposal",
        "Blotter",
        "ModelVersion",
        "HeldPrice",
        "Reconciliation",
        "HouseholdProposal",
        "PlannedGift",
    }
    for model in MAPPED:
        statuses = set(_statuses(model))
        assert set(model.ALLOWED_TRANSITIONS) == statuses, model.__name__
        for targets in model.ALLOWED_TRANSITIONS.values():
            assert set(targets) <= statuses, model.__name__


@pytest.mark.parametrize(("model", "frm", "to"), PAIRS)
def test_a_transition_is_what_the_map_allows(firm_a, model, frm, to):
    # given a row in status frm
    row = _row(model, firm_a, frm)
    allowed = to in model.ALLOWED_TRANSITIONS[frm]
    # when it is asked to become to
    if allowed:
        transition(row, to=to)
    else:
        with pytest.raises(InvalidTransition, match="cannot become"):
            transition(row, to=to)
    # then it moved exactly when the map allows it
    assert model.objects.get(pk=row.pk).status == (to if allowed else frm)


def test_a_stale_second_transition_changes_nothing(firm_a):
    # given two readers of the same open blotter
    first = _row(Blotter, firm_a, BlotterStatus.OPEN)
    second = Blotter.objects.get(pk=first.pk)
    # when both approve it
    transition(first, to=BlotterStatus.APPROVED)
    with pytest.raises(InvalidTransition, match="changed by someone else"):
        transition(second, to=BlotterStatus.APPROVED)
    # then one change happened
    assert Blotter.objects.get(pk=first.pk).status == BlotterStatus.APPROVED


def test_transition_all_moves_only_rows_in_an_expected_status(firm_a):
    draft = _row(ModelVersion, firm_a, "draft")
    published = _row(ModelVersion, firm_a, "published")
    moved = transition_all(
        ModelVersion.objects.filter(pk__in=[draft.pk, published.pk]),
        expected="draft",
        to="published",
    )
    assert moved == 1
    with pytest.raises(InvalidTransition):
        transition_all(ModelVersion.objects.all(), expected="published", to="draft")


def test_a_concurrent_double_approve_changes_one_row(firm_a, advisor_a, member_factory):
    # given two advisors who opened the same pending proposal
    other = member_factory(firm_a, "advisor", "advisor-2")
    proposal = _row(Proposal, firm_a, ProposalStatus.PENDING_REVIEW)
    seen_by_other = Proposal.objects.get(pk=proposal.pk)
    # when both approve it
    proposal_approve(firm=firm_a, actor=Actor.person(advisor_a), proposal=proposal)
    with pytest.raises(InvalidTransition, match="changed by someone else"):
        proposal_approve(firm=firm_a, actor=Actor.person(other), proposal=seen_by_other)
    # then the first approval stands, recorded once
    stored = Proposal.objects.get(pk=proposal.pk)
    assert (stored.status, stored.reviewed_by) == (ProposalStatus.APPROVED, advisor_a)
    assert AuditEvent.objects.filter(action="proposal.approved").count() == 1


def _approve_proposal(firm, actor):
    proposal = _row(Proposal, firm, ProposalStatus.PENDING_REVIEW)
    proposal_approve(firm=firm, actor=Actor.person(actor), proposal=proposal)


def _approve_blotter(firm, member_factory):
    trader = member_factory(firm, "trader", "trader-1")
    blotter_approve(
        firm=firm, actor=Actor.person(trader), blotter=_row(Blotter, firm, BlotterStatus.OPEN)
    )


def _publish_version(firm, actor):
    version = _row(ModelVersion, firm, "draft")
    ModelLineFactory(version=version, firm=firm)
    version_publish(firm=firm, actor=Actor.person(actor), version=version)


@pytest.mark.parametrize(
    ("model", "frm", "change"),
    [
        (Proposal, ProposalStatus.PENDING_REVIEW, "proposal"),
        (Blotter, BlotterStatus.OPEN, "blotter"),
        (ModelVersion, "draft", "version"),
    ],
)
def test_services_consult_the_map(
    firm_a, advisor_a, member_factory, monkeypatch, model, frm, change
):
    # given a map that lets nothing leave frm
    monkeypatch.setattr(model, "ALLOWED_TRANSITIONS", {**model.ALLOWED_TRANSITIONS, frm: set()})
    # when the service makes its change, then the map refuses it
    with pytest.raises(InvalidTransition):
        if change == "proposal":
            _approve_proposal(firm_a, advisor_a)
        elif change == "blotter":
            _approve_blotter(firm_a, member_factory)
        else:
            _publish_version(firm_a, advisor_a)
    assert not model.objects.exclude(status=frm).exists()
