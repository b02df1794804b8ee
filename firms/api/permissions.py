"""Who is calling, for which firm, and whether they may: scopes for keys, roles for people.

Every API view names the key scope it needs (``required_scope``) and, for people signed in
to the web UI, the role action (``session_action``, from ``firms.permissions``; None
means ``manage_firm``, a firm admin's). The firm always comes from the key or the session's
membership.
"""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework import exceptions, permissions
from rest_framework.request import Request

from firms.models import ApiKey, Firm, Membership
from firms.permissions import Action, can
from firms.recent_auth import SAFE_METHODS, recent_auth_seconds, recently_authenticated
from firms.selectors.mfa import mfa_confirmed
from rebalancer.actors import Actor


@dataclass(frozen=True)
class Principal:
    firm: Firm
    actor: Actor  # the person, or the key acting for its creator
    membership: Membership | None  # the person's membership; None for a key
    api_key: ApiKey | None

    @property
    def label(self) -> str:
        return f"key:{self.api_key.pk}" if self.api_key else f"user:{self.actor.user_id}"


class FirmApiRequest(Request):
    """A request past `FirmScopePermission`: ``principal`` is the caller."""

    principal: Principal


def principal_of(request) -> Principal:
    if isinstance(request.auth, ApiKey):
        key = request.auth
        return Principal(firm=key.firm, actor=Actor.for_api_key(key), membership=None, api_key=key)
    membership = getattr(request._request, "membership", None)
    if membership is None:
        raise exceptions.PermissionDenied("You are not a member of any firm.")
    return Principal(
        firm=membership.firm,
        actor=Actor.person(request.user),
        membership=membership,
        api_key=None,
    )


class FirmScopePermission(permissions.BasePermission):
    """Sets ``request.principal``; checks the key's scope or the person's role."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        principal = principal_of(request)
        request.principal = principal
        if principal.api_key is not None:
            if not getattr(view, "api_keys_allowed", True):
                raise exceptions.PermissionDenied("This operation needs a signed-in firm admin.")
            scope = view.scope_for(request.method)
            if not principal.api_key.has_scope(scope):
                raise exceptions.PermissionDenied(f"This API key lacks the '{scope}' scope.")
            return True
        _check_person(request, principal)
        action = view.action_for(request.method)
        if not can(principal.membership, action or Action.MANAGE_FIRM):
            raise exceptions.PermissionDenied("Your role may not do this.")
        return True


def _check_person(request, principal: Principal) -> None:
    """A person on the API (a web session, not a key) meets the web's rules: their firm's
    multi-factor requirement, and a recent sign-in before any change."""
    if principal.firm.require_mfa and not mfa_confirmed(user=request.user):
        raise exceptions.PermissionDenied(
            "Your firm requires multi-factor sign-in: set it up on the Security page "
            "(/security/) first."
        )
    if request.method not in SAFE_METHODS and not recently_authenticated(request._request):
        minutes = recent_auth_seconds() // 60
        raise exceptions.PermissionDenied(
            f"Changes need a sign-in within the last {minutes} minutes: confirm it's you "
            "(/reauth/), then send the request again."
        )
