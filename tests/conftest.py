"""Shared fixtures: two firms, and named people in each (an owner, a teammate, an outsider)."""

from __future__ import annotations

from unittest import mock

import pytest

from firms.models import Role
from tests.factories import FirmFactory, MembershipFactory, UserFactory


@pytest.fixture
def firm_a(db):
    return FirmFactory(name="Alpha Advisors", slug="alpha")


@pytest.fixture
def firm_b(db):
    return FirmFactory(name="Beta Wealth", slug="beta")


def _member(firm, role: str, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, firm=firm, role=role)
    return user


@pytest.fixture
def advisor_a(firm_a):
    return _member(firm_a, Role.ADVISOR, "advisor-a")


@pytest.fixture
def admin_a(firm_a):
    return _member(firm_a, Role.FIRM_ADMIN, "admin-a")


@pytest.fixture
def advisor_b(firm_b):
    return _member(firm_b, Role.ADVISOR, "advisor-b")


@pytest.fixture
def member_factory():
    return _member


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Tasks run in-process in tests, even when REDIS_URL is set (the PostgreSQL pass of
    CI), except in tests marked ``celery_worker``, which start a real worker."""
    from rebalancer.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher is slow by design."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in throttling and API rate limits count in the cache: each test starts at zero."""
    from django.core.cache import cache

    cache.clear()
    yield


# --- the PostgreSQL pass as the application's role (see tests/pg_roles.py) ---------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test database is created and migrated by the tables' owner."""
    from tests import pg_roles

    if pg_roles.active():
        pg_roles.log_in(pg_roles.owner_credentials())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Then every test connects as the application's role; the owner empties the tables
    after a ``transaction=True`` test and drops the test database at the end."""
    from django.test import TransactionTestCase

    from tests import pg_roles

    if not pg_roles.active():
        yield
        return
    flush = vars(TransactionTestCase)["_fixture_teardown"]

    def flush_as_owner(self):
        with pg_roles.as_owner():
            flush(self)

    with django_db_blocker.unblock():
        pg_roles.grant_app_role()
        pg_roles.add_harness_policy()
        pg_roles.log_in(pg_roles.app_credentials())
        pg_roles.install_harness()
    with mock.patch.object(TransactionTestCase, "_fixture_teardown", flush_as_owner):
        yield
    with django_db_blocker.unblock():
        pg_roles.log_in(pg_roles.owner_credentials())
