"""Puts the signed-in user's firm and role on the request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

SESSION_FIRM_KEY = "firm_id"


class FirmMiddleware:
    """Sets ``request.firm`` and ``request.membership`` (None when signed out or no firm).

    A person may belong to several firms; the session remembers which one they work in,
    and falls back to their first membership.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from accounts.selectors.memberships import membership_for_request

        membership = None
        if request.user.is_authenticated:
            membership = membership_for_request(
                user=request.user, firm_id=request.session.get(SESSION_FIRM_KEY)
            )
        request.membership = membership
        request.firm = membership.firm if membership else None
        return self.get_response(request)
