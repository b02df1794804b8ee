"""The permission matrix: which role may do what, asked in one place by views, the API and
services."""

from __future__ import annotations

import pytest

from firms.models import Membership, Role
from firms.permissions import ROLE_ACTIONS, Action, roles_that_may, user_may

A = Action
MATRIX = {
    A.VIEW_BOOK: {Role.FIRM_ADMIN, Role.ADVISOR, Role.MODEL_MANAGER, Role.TRADER, Role.COMPLIANCE},
    A.VIEW_MODELS: {Role.FIRM_ADMIN, Role.ADVISOR, Role.MODEL_MANAGER, Role.COMPLIANCE},
    A.VIEW_RUNS: {Role.FIRM_ADMIN, Role.ADVISOR, Role.COMPLIANCE},
    A.VIEW_BLOTTERS: {Role.FIRM_ADMIN, Role.TRADER, Role.COMPLIANCE},
    A.VIEW_AUDIT: {Role.FIRM_ADMIN, Role.COMPLIANCE},
    A.REVIEW_PROPOSALS: {Role.FIRM_ADMIN, Role.ADVISOR},
    A.EDIT_PREFERENCES: {Role.FIRM_ADMIN, Role.ADVISOR},
    A.MANAGE_MODELS: {Role.FIRM_ADMIN, Role.MODEL_MANAGER},
    A.TRADE: {Role.FIRM_ADMIN, Role.TRADER},
    A.RERUN: {Role.FIRM_ADMIN},
    A.MANAGE_FIRM: {Role.FIRM_ADMIN},
}


def test_the_matrix_names_every_action_and_role():
    assert set(MATRIX) == set(Action)
    assert set(ROLE_ACTIONS) == set(Role.values)


@pytest.mark.parametrize("action", list(Action))
def test_roles_that_may_each_action(action):
    assert roles_that_may(action) == MATRIX[action]


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_user_may_trade_only_in_a_trading_role_of_that_firm(firm_a, firm_b, member_factory, role):
    # given a member of firm A with this role
    user = member_factory(firm_a, role, f"{role}-a")
    # then trading is allowed exactly for the trading roles, and never in another firm
    assert user_may(firm=firm_a, user=user, action=Action.TRADE) == (role in MATRIX[A.TRADE])
    assert not user_may(firm=firm_b, user=user, action=Action.TRADE)
    # and not once the membership is inactive
    Membership.objects.filter(user=user).update(is_active=False)
    assert not user_may(firm=firm_a, user=user, action=Action.TRADE)
