"""Another firm's objects: every endpoint answers 404 (never 403), lists leave them out,
bulk imports refuse their account numbers, and nothing of theirs changes."""

from __future__ import annotations

import pytest

from firms.models import ApiKey, AuditEvent, Role
from firms.services.api_keys import api_key_create
from models_library.models import ModelVersion
from rebalancer.actors import Actor
from tests.api.conftest import key_client, session_client
from tests.factories import ModelLineFactory, ModelVersionFactory
from tests.trading.builders import AS_OF, small_book
from trading.models import Blotter, CashBalance, Proposal, TaxLot, Transaction
from trading.services.blotters import blotter_create
from trading.services.review import proposal_approve, proposal_reoptimize
from trading.services.runs import run_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def book_b(firm_b, member_factory):
    """Firm B's book: an account with lots, a proposal, a blotter, a run, a draft, a key."""
    securities, model, [account] = small_book(firm=firm_b, accounts=1)
    trader = member_factory(firm_b, Role.TRADER, "trader-b")
    proposal = proposal_reoptimize(
        firm=firm_b, actor=Actor.system("test"), account=account, as_of=AS_OF
    )
    proposal_approve(firm=firm_b, actor=Actor.system("test"), proposal=proposal)
    blotter = blotter_create(firm=firm_b, actor=Actor.person(trader))
    run, _ = run_start(firm=firm_b, as_of=AS_OF, trigger="api")
    draft = ModelVersionFactory(model=model, number=2)
    ModelLineFactory(version=draft, security=securities["VTI"], weight="0.5")
    key = api_key_create(
        firm=firm_b, actor=Actor.system("test"), name="b-feed", scopes=["read"]
    ).api_key
    return {
        "account": account,
        "household": account.household,
        "model": model,
        "version": draft,
        "proposal": proposal,
        "blotter": blotter,
        "run": run,
        "key": key,
    }


def _state(firm) -> dict:
    return {
        "audit": AuditEvent.objects.filter(firm=firm).count(),
        "transactions": Transaction.objects.filter(firm=firm).count(),
        "lots": list(TaxLot.objects.filter(firm=firm).values_list("quantity", flat=True)),
        "cash": list(CashBalance.objects.filter(firm=firm).values_list("amount_usd", flat=True)),
        "proposals": list(Proposal.objects.filter(firm=firm).values_list("status", flat=True)),
        "blotters": list(Blotter.objects.filter(firm=firm).values_list("status", flat=True)),
        "versions": list(ModelVersion.objects.filter(firm=firm).values_list("status", flat=True)),
        "keys": list(ApiKey.objects.filter(firm=firm).values_list("revoked_at", flat=True)),
    }


def _their_endpoints(b) -> list[tuple[str, str, dict]]:
    acc, hh = b["account"].pk, b["household"].pk
    return [
        ("get", f"/api/v1/households/{hh}/", {}),
        ("get", f"/api/v1/households/{hh}/preferences/", {}),
        ("patch", f"/api/v1/households/{hh}/preferences/", {"harvest_losses": False}),
        ("get", f"/api/v1/clients/?household={hh}", {}),
        ("post", "/api/v1/clients/", {"household": hh, "first_name": "A", "last_name": "B"}),
        (
            "post",
            "/api/v1/accounts/",
            {
                "household": hh,
                "account_number": "X-1",
                "name": "X",
                "custodian": "C",
                "registration_type": "individual",
            },
        ),
        ("get", f"/api/v1/accounts/?household={hh}", {}),
        ("get", f"/api/v1/accounts/{acc}/", {}),
        ("post", f"/api/v1/accounts/{acc}/model/", {"model": b["model"].pk}),
        ("get", f"/api/v1/accounts/{acc}/preferences/", {}),
        ("patch", f"/api/v1/accounts/{acc}/preferences/", {"harvest_losses": False}),
        ("get", f"/api/v1/accounts/{acc}/transactions/", {}),
        ("get", f"/api/v1/accounts/{acc}/lots/", {}),
        ("get", f"/api/v1/accounts/{acc}/positions/", {}),
        ("get", f"/api/v1/accounts/{acc}/cash/", {}),
        ("post", f"/api/v1/accounts/{acc}/optimize/", {"as_of": str(AS_OF)}),
        ("get", f"/api/v1/models/{b['model'].pk}/", {}),
        ("get", f"/api/v1/model-versions/{b['version'].pk}/", {}),
        ("post", f"/api/v1/model-versions/{b['version'].pk}/publish/", {}),
        ("get", f"/api/v1/proposals/{b['proposal'].pk}/", {}),
        ("get", f"/api/v1/proposals/?account={acc}", {}),
        ("post", f"/api/v1/proposals/{b['proposal'].pk}/approve/", {}),
        ("post", f"/api/v1/proposals/{b['proposal'].pk}/reject/", {"comment": "no"}),
        ("get", f"/api/v1/blotters/{b['blotter'].pk}/", {}),
        ("post", f"/api/v1/blotters/{b['blotter'].pk}/approve/", {}),
        ("post", f"/api/v1/blotters/{b['blotter'].pk}/export/", {}),
        (
            "post",
            f"/api/v1/blotters/{b['blotter'].pk}/fills/",
            {
                "rows": [
                    {
                        "fill_id": "F",
                        "order_id": 1,
                        "account_number": "X",
                        "quantity": "1",
                        "price": "1",
                        "trade_date": "2025-07-01",
                    }
                ]
            },
        ),
        ("get", f"/api/v1/runs/{b['run'].pk}/", {}),
        ("post", f"/api/v1/api-keys/{b['key'].pk}/revoke/", {}),
    ]


@pytest.mark.parametrize("caller", ["key", "admin"])
def test_another_firms_objects_are_not_found_and_nothing_of_theirs_changes(
    firm_a, firm_b, book_b, admin_a, caller
):
    # given firm A's caller: a key with every scope, or its firm admin signed in
    client = key_client(firm_a) if caller == "key" else session_client(admin_a)
    before = _state(firm_b)
    # when they touch each of firm B's objects
    answers = {
        f"{method.upper()} {path}": getattr(client, method)(path, body, format="json")
        for method, path, body in _their_endpoints(book_b)
        if not (caller == "key" and "api-keys" in path)
    }
    # then every answer is 404 (problem details), and firm B is as it was
    assert {k: r.status_code for k, r in answers.items() if r.status_code != 404} == {}
    assert all(r["Content-Type"] == "application/problem+json" for r in answers.values())
    assert _state(firm_b) == before


def test_lists_leave_out_another_firms_objects(firm_a, firm_b, book_b):
    client = key_client(firm_a)
    for path in ("households", "accounts", "models", "proposals", "blotters", "runs"):
        body = client.get(f"/api/v1/{path}/").json()
        assert body["results"] == [], path


def test_bulk_imports_refuse_another_firms_account_numbers(firm_a, firm_b, book_b):
    client = key_client(firm_a)
    number = book_b["account"].account_number
    before = _state(firm_b)
    txn = {
        "account_number": number,
        "external_id": "T-X",
        "date": "2025-06-30",
        "type": "buy",
        "symbol": "VTI",
        "quantity": "1",
        "amount_usd": "300.00",
    }
    cash = {"account_number": number, "amount_usd": "1.00", "as_of": "2025-06-30"}
    for path, row in (("transactions", txn), ("cash", cash)):
        response = client.post(f"/api/v1/{path}/bulk/", {"rows": [row]}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"row": 1, "field": "account_number", "message": f"no account '{number}' in this firm"}
        ]
    assert _state(firm_b) == before
