"""The actor of a change, built once per entry point, and how the audit log names it."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse

from firms.middleware import FirmMiddleware
from firms.models import ApiKey, AuditEvent
from firms.services.api_keys import api_key_create
from firms.services.audit import audit_record
from rebalancer.actors import Actor
from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


def _event(firm, actor: Actor) -> AuditEvent:
    return audit_record(firm=firm, actor=actor, action="household.create", object_repr="Smith")


def test_a_person_is_recorded_as_the_user_with_their_username(firm_a, advisor_a):
    event = _event(firm_a, Actor.person(advisor_a))
    assert (event.actor, event.actor_label) == (advisor_a, "advisor-a")


def test_an_api_key_acts_through_its_service_user(firm_a, admin_a):
    issued = api_key_create(firm=firm_a, actor=Actor.person(admin_a), name="feed", scopes=["read"])
    actor = Actor.for_api_key(issued.api_key)
    assert (actor.user, actor.api_key_id) == (issued.api_key.user, issued.api_key.pk)
    event = _event(firm_a, actor)
    assert (event.actor, event.actor_label) == (
        issued.api_key.user,
        issued.api_key.user.get_username(),
    )
    assert issued.api_key.created_by == admin_a


def test_a_system_process_is_recorded_by_name(firm_a):
    event = _event(firm_a, Actor.system("command:create_api_key"))
    assert (event.actor, event.actor_label) == (None, "command:create_api_key")


def test_a_web_request_acts_as_the_person_signed_in(firm_a, advisor_a, rf):
    # given a request of a signed-in advisor
    request = rf.get("/")
    request.user, request.session = advisor_a, {}
    seen: list[Actor] = []

    def view(request: Any) -> HttpResponse:
        seen.append(request.actor)
        return HttpResponse()

    # when the firm middleware has handled it
    FirmMiddleware(view)(request)
    # then the views see the advisor as the actor
    assert seen == [Actor.person(advisor_a)]


def test_an_api_request_with_a_key_is_audited_as_before(firm_a):
    # given a key, when it creates a household
    api = key_client(firm_a, scopes=("read", "import"), name="feed")
    household = api.post("/api/v1/households/", {"name": "Hopper"}, format="json").json()
    # then the audit log names the key's service user, as it always has
    event = AuditEvent.objects.get(action="household.create", object_id=str(household["id"]))
    key = ApiKey.objects.get(name="feed")
    assert (event.actor, event.actor_label) == (key.user, key.user.get_username())
