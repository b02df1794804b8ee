"""Puts the signed-in user's firm and role on the request, and opens the request's
transaction with that firm set for PostgreSQL's row-level security."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from firms.requests import MemberRequest
from rebalancer import rowsecurity
from rebalancer.actors import Actor

SESSION_FIRM_KEY = "firm_id"


class FirmMiddleware:
    """Sets ``request.firm`` and ``request.membership`` (None when signed out or no firm),
    and ``request.actor``, the person signed in (None when signed out).

    A person may belong to several firms; the session remembers which one they work in,
    and falls back to their first membership.

    On PostgreSQL the rest of the request runs in one transaction whose ``app.firm_id`` is
    that firm (``app.user_id`` lets the membership lookup see the person's own rows first),
    so firm-owned tables show that firm's rows only. API-key requests set their firm when
    the key is authenticated, inside this same transaction. A response with a server error
    rolls the transaction back. A signed-out request without credentials (the sign-in page,
    the API schema) has no firm to see, and runs without. On SQLite, requests run as before,
    without a transaction.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: MemberRequest) -> HttpResponse:
        # a signed-out request without credentials reads no firm's rows: no transaction
        signed_out = not request.user.is_authenticated and "Authorization" not in request.headers
        if signed_out or not rowsecurity.enforced():
            return self._handle(request)
        with transaction.atomic():
            response = self._handle(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response

    def _handle(self, request: MemberRequest) -> HttpResponse:
        from firms.selectors.memberships import membership_for_request

        membership = None
        if request.user.is_authenticated:
            rowsecurity.set_user(request.user.pk)
            membership = membership_for_request(
                user=request.user, firm_id=request.session.get(SESSION_FIRM_KEY)
            )
        request.membership = membership
        request.actor = Actor.person(request.user) if request.user.is_authenticated else None
        request.firm = membership.firm if membership else None
        if request.firm is not None:
            rowsecurity.set_firm(request.firm.pk)
        return self.get_response(request)
