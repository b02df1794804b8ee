"""The PostgreSQL pass of CI runs as the application's role (tests/pg_roles.py).

Only in that pass (``TEST_DATABASE_OWNER_URL`` set): the suite is connected as a role bound
by row-level security, the tables belong to another role, and the product's entry points (a
command, a task) see only the firm they set, even though the test itself built two firms.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from accounts.models import Household
from firms.tasks import row_security_probe
from rebalancer import rowsecurity
from tests import pg_roles
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.skipif(
    not pg_roles.active(), reason="the CI PostgreSQL pass (TEST_DATABASE_OWNER_URL) only"
)


def _sql(query: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchall()


@pytest.fixture
def two_households(firm_a, firm_b):
    return HouseholdFactory(firm=firm_a, name="A one"), HouseholdFactory(firm=firm_b, name="B one")


@pytest.mark.django_db
def test_the_suite_connects_as_the_application_role_and_another_role_owns_the_tables():
    with pg_roles.product_only():
        me = _sql(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        owners = _sql("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
    assert me == [(pg_roles.app_credentials()["USER"], False, False)]
    assert owners == [(pg_roles.owner_credentials()["USER"],)]


@pytest.mark.django_db
def test_a_command_sees_only_the_firm_it_scopes_though_the_test_built_two(two_households):
    # given: the test's own queries (set-up, checks) see both firms
    firm_a, firm_b = (household.firm for household in two_households)
    assert sorted(Household.objects.values_list("name", flat=True)) == ["A one", "B one"]
    # when: a command reads in firm A's scope
    out = io.StringIO()
    call_command("row_security", firm="alpha", stdout=out)
    # then: it sees firm A's household only
    assert f"  {'accounts_household':<36} firm {firm_a.pk}: 1\n" in out.getvalue()
    assert f"firm {firm_b.pk}" not in out.getvalue()


@pytest.mark.django_db
def test_a_task_sees_only_its_firm_and_nothing_without_one(two_households):
    firm_a, _ = (household.firm for household in two_households)
    assert row_security_probe(firm_a.pk)["tables"]["accounts_household"] == {str(firm_a.pk): 1}
    assert row_security_probe(None)["tables"]["accounts_household"] == {}


@pytest.mark.django_db
def test_inside_product_only_the_tests_own_queries_are_bound_too(two_households):
    firm_a, _ = (household.firm for household in two_households)
    with pg_roles.product_only():
        assert Household.objects.count() == 0
        with rowsecurity.firm_scope(firm_a):
            assert list(Household.objects.values_list("name", flat=True)) == ["A one"]


@pytest.mark.django_db(transaction=True)
def test_the_application_role_cannot_empty_the_audit_log_the_owner_does_after_the_test(firm_a):
    # the teardown of this transaction=True test empties every table as the owner
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        _sql("TRUNCATE accounts_auditevent")
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        _sql("TRUNCATE accounts_household")
