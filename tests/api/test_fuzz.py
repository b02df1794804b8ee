"""A quick in-process fuzz of the bulk imports (the full run, every operation against a
served app, is .ci/api_fuzz.sh): whatever schemathesis sends, never a server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from firms.services.api_keys import api_key_create
from rebalancer.actors import Actor
from rebalancer.wsgi import application
from tests.factories import FirmFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application).include(
    path_regex=r"^/api/v1/((transactions|cash|prices|securities|custodian-positions)/bulk|"
    r"corporate-actions)/$",
)


@pytest.fixture
def _keep_the_test_connection():
    """As Django's test client does: the test's transaction must outlive each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auth_header(db, _keep_the_test_connection):
    firm = FirmFactory(slug="fuzz", manages_reference_data=True)
    raw = api_key_create(
        firm=firm, actor=Actor.system("test"), name="fuzz", scopes=["read", "import"]
    ).raw_key
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case, auth_header):
    response = case.call(headers=auth_header)
    case.validate_response(response, checks=[not_a_server_error])
