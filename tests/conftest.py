"""Shared fixtures: two firms, and named people in each (an owner, a teammate, an outsider)."""

from __future__ import annotations

import pytest

from accounts.models import Role
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
