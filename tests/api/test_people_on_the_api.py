"""A person calling the API with their web session meets the web's rules: the firm's
multi-factor requirement, and a recent sign-in before any change. Keys are unaffected."""

from __future__ import annotations

import time

import pytest

from accounts.models import Household
from firms.recent_auth import SESSION_KEY
from tests.accounts.mfa import enrol
from tests.api.conftest import key_client, problem, session_client

pytestmark = pytest.mark.django_db


def _stale(client) -> None:
    session = client.session
    session[SESSION_KEY] = time.time() - 901
    session.save()


def test_a_change_with_a_stale_session_is_refused_and_a_fresh_one_goes_through(firm_a, admin_a):
    api = session_client(admin_a)
    _stale(api)
    assert api.get("/api/v1/households/").status_code == 200  # reading is fine
    body = problem(api.post("/api/v1/households/", {"name": "Late"}, format="json"), 403)
    assert "confirm it's you" in body["detail"]
    assert not Household.objects.filter(name="Late").exists()
    fresh = session_client(admin_a)  # signing in is a recent authentication
    made = fresh.post("/api/v1/households/", {"name": "Now"}, format="json")
    assert made.status_code == 201, made.content


def test_a_firm_that_requires_mfa_refuses_people_without_it_on_the_api(firm_a, advisor_a):
    firm_a.require_mfa = True
    firm_a.save()
    api = session_client(advisor_a)
    body = problem(api.get("/api/v1/households/"), 403)
    assert "multi-factor" in body["detail"]
    enrol(advisor_a, firm_a)
    assert api.get("/api/v1/households/").status_code == 200
    # a key is a machine credential: the people's rules do not apply to it
    assert (
        key_client(firm_a)
        .post("/api/v1/households/", {"name": "By key"}, format="json")
        .status_code
        == 201
    )
