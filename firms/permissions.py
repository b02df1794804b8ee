"""What each role may do in the web UI: the one place that maps a role to its actions.

Views check an action with ``require``; templates ask the same question with the ``can``
filter (``{% load roles %}{% if current_membership|can:"review_proposals" %}``), so a button
is shown exactly when pressing it would be allowed. Firm boundaries are not decided here:
every selector takes the firm, and another firm's objects are "not found" (404) before any
permission is asked.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied

from firms.models import Firm, Membership, Role


class Action(StrEnum):
    VIEW_BOOK = "view_book"
    VIEW_MODELS = "view_models"
    VIEW_RUNS = "view_runs"
    VIEW_BLOTTERS = "view_blotters"
    VIEW_AUDIT = "view_audit"
    REVIEW_PROPOSALS = "review_proposals"
    EDIT_PREFERENCES = "edit_preferences"
    MANAGE_MODELS = "manage_models"
    TRADE = "trade"
    RERUN = "rerun"
    MANAGE_FIRM = "manage_firm"


_READ_ALL = {
    Action.VIEW_BOOK,
    Action.VIEW_MODELS,
    Action.VIEW_RUNS,
    Action.VIEW_BLOTTERS,
    Action.VIEW_AUDIT,
}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.FIRM_ADMIN: frozenset(Action),
    Role.ADVISOR: frozenset(
        {
            Action.VIEW_BOOK,
            Action.VIEW_MODELS,
            Action.VIEW_RUNS,
            Action.REVIEW_PROPOSALS,
            Action.EDIT_PREFERENCES,
        }
    ),
    Role.MODEL_MANAGER: frozenset({Action.VIEW_BOOK, Action.VIEW_MODELS, Action.MANAGE_MODELS}),
    Role.TRADER: frozenset({Action.VIEW_BOOK, Action.VIEW_BLOTTERS, Action.TRADE}),
    Role.COMPLIANCE: frozenset(_READ_ALL),
}


def can(membership: Membership | None, action: Action | str) -> bool:
    """Whether the member's role allows ``action`` (False when signed out or firmless)."""
    if membership is None or not membership.is_active:
        return False
    return Action(action) in ROLE_ACTIONS.get(membership.role, frozenset())


def roles_that_may(action: Action | str) -> frozenset[str]:
    """The roles whose members may do ``action``."""
    return frozenset(role for role, actions in ROLE_ACTIONS.items() if Action(action) in actions)


def user_may(*, firm: Firm, user: Any, action: Action | str) -> bool:
    """Whether ``user`` has an active membership of ``firm`` whose role allows ``action``
    (for services, which are given a user rather than a membership)."""
    return Membership.objects.filter(
        firm=firm, user=user, is_active=True, role__in=roles_that_may(action)
    ).exists()


def require(membership: Membership | None, action: Action | str) -> None:
    """Raise PermissionDenied (403) unless the member's role allows ``action``."""
    if not can(membership, action):
        raise PermissionDenied(f"Your role may not {Action(action).value.replace('_', ' ')}.")


def home_for(membership: Membership) -> str:
    """The URL name of the page a role starts on."""
    homes: dict[str, str] = {Role.MODEL_MANAGER: "models", Role.TRADER: "blotters"}
    return homes.get(membership.role, "dashboard")
