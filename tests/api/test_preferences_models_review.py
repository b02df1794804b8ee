"""Preferences (read, audited update), models (read, publish), proposals (approve, reject,
optimize now) and runs through the API."""

from __future__ import annotations

import pytest

from firms.models import AuditEvent, Role
from models_library.models import VersionStatus
from rebalancer.actors import Actor
from tests.api.conftest import key_client, problem, session_client
from tests.factories import AccountFactory, HouseholdFactory, ModelLineFactory, ModelVersionFactory
from tests.trading.builders import AS_OF, small_book

pytestmark = pytest.mark.django_db


def test_account_preferences_are_read_with_their_sources_and_updated_with_an_audit(firm_a, api_a):
    account = AccountFactory(household=HouseholdFactory(firm=firm_a))
    url = f"/api/v1/accounts/{account.pk}/preferences/"
    before = api_a.get(url).json()
    assert before["effective"]["short_term_rate"] == "0.3700"
    assert before["sources"]["short_term_rate"] == "default"
    # when the rate is overridden
    after = api_a.patch(url, {"short_term_rate": "0.3500", "harvest_losses": False}, format="json")
    # then it applies, says where it comes from, and the change is audited
    body = after.json()
    assert body["effective"]["short_term_rate"] == "0.3500"
    assert body["sources"]["short_term_rate"] == "account"
    assert body["own"]["harvest_losses"] is False
    event = AuditEvent.objects.get(firm=firm_a, action="preferences.update")
    assert event.after == {"short_term_rate": "0.3500", "harvest_losses": False}
    assert event.account_id_ref == account.pk


def test_a_preference_out_of_range_is_refused_naming_the_field(firm_a, api_a):
    account = AccountFactory(household=HouseholdFactory(firm=firm_a))
    response = api_a.patch(
        f"/api/v1/accounts/{account.pk}/preferences/", {"short_term_rate": "1.5"}, format="json"
    )
    assert [e["field"] for e in problem(response, 400)["errors"]] == ["short_term_rate"]
    assert not AuditEvent.objects.filter(action="preferences.update").exists()


def test_household_preferences_are_the_defaults_of_its_accounts(firm_a, api_a):
    household = HouseholdFactory(firm=firm_a)
    account = AccountFactory(household=household)
    api_a.patch(
        f"/api/v1/households/{household.pk}/preferences/", {"cost_bps": "5.00"}, format="json"
    )
    body = api_a.get(f"/api/v1/accounts/{account.pk}/preferences/").json()
    assert (body["effective"]["cost_bps"], body["sources"]["cost_bps"]) == ("5.00", "household")


def test_an_advisor_signed_in_sees_only_their_households(firm_a, member_factory):
    mine_user = member_factory(firm_a, Role.ADVISOR, "mine")
    mine = HouseholdFactory(firm=firm_a, advisor=mine_user)
    theirs = HouseholdFactory(firm=firm_a)
    client = session_client(mine_user)
    assert [h["id"] for h in client.get("/api/v1/households/").json()["results"]] == [mine.pk]
    problem(client.get(f"/api/v1/households/{theirs.pk}/"), 404)


def test_a_model_manager_publishes_a_draft_once(firm_a, member_factory):
    _, model, _ = small_book(firm=firm_a, accounts=0)
    draft = ModelVersionFactory(model=model, number=2)
    ModelLineFactory(
        version=draft, security=model.versions.get(number=1).lines.first().security, weight="1"
    )
    client = session_client(member_factory(firm_a, Role.MODEL_MANAGER, "modeler"))
    listed = client.get(f"/api/v1/models/{model.pk}/").json()
    assert [v["status"] for v in listed["versions"]] == ["draft", "published"]
    published = client.post(f"/api/v1/model-versions/{draft.pk}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    problem(client.post(f"/api/v1/model-versions/{draft.pk}/publish/"), 409)


def test_optimize_now_reject_and_approve(firm_a):
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    api = key_client(firm_a, scopes=("trade", "read"))
    first = api.post(
        f"/api/v1/accounts/{account.pk}/optimize/", {"as_of": str(AS_OF)}, format="json"
    )
    assert first.status_code == 201 and first.json()["trades"]
    proposal_id = first.json()["id"]
    refused = api.post(f"/api/v1/proposals/{proposal_id}/reject/", {}, format="json")
    assert [e["field"] for e in problem(refused, 400)["errors"]] == ["comment"]
    rejected = api.post(
        f"/api/v1/proposals/{proposal_id}/reject/", {"comment": "wait"}, format="json"
    )
    assert rejected.json()["status"] == "rejected"
    # a new proposal supersedes the rejected one, and is approved
    second = api.post(
        f"/api/v1/accounts/{account.pk}/optimize/", {"as_of": str(AS_OF)}, format="json"
    ).json()
    assert api.post(f"/api/v1/proposals/{second['id']}/approve/").json()["status"] == "approved"
    problem(api.post(f"/api/v1/proposals/{second['id']}/approve/"), 409)
    statuses = {
        p["id"]: p["status"]
        for p in api.get("/api/v1/proposals/?status=superseded").json()["results"]
    }
    assert statuses == {proposal_id: "superseded"}


def test_a_run_is_started_and_read(firm_a, django_capture_on_commit_callbacks):
    small_book(firm=firm_a, accounts=2)
    api = key_client(firm_a, scopes=("trade", "read"))
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post("/api/v1/runs/", {"as_of": str(AS_OF)}, format="json")
    assert started.status_code == 202
    run = api.get(f"/api/v1/runs/{started.json()['id']}/").json()
    assert run["status"] == "completed" and run["trigger"] == "api"
    assert run["progress"]["done"] == run["progress"]["total"] == 2
    proposals = api.get(f"/api/v1/proposals/?as_of={AS_OF}").json()["results"]
    assert len(proposals) == 2


def test_an_accounts_rules_in_force_are_listed_with_their_source(firm_a, api_a):
    from accounts.services.preferences import restriction_add
    from tests.factories import SecurityFactory

    SecurityFactory(symbol="AAPL")
    account = AccountFactory(household=HouseholdFactory(firm=firm_a))
    restriction_add(
        firm=firm_a,
        actor=Actor.system("test"),
        symbol="AAPL",
        type="do_not_sell",
        household=account.household,
    )
    body = api_a.get(f"/api/v1/accounts/{account.pk}/preferences/").json()
    assert [(r["kind"], r["source"], r["values"]["symbol"]) for r in body["rules"]] == [
        ("restriction", "household", "AAPL")
    ]
    assert body["pending_withdrawal_usd"] == "0.00"
