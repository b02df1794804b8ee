"""Recent authentication before sensitive actions.

The session records when the person last proved who they are: signing in (any call to
``django.contrib.auth.login``, stamped by ``stamp_sign_in``), or re-authenticating on the
confirmation page. Views that change clients' preferences, models or blotters wear
``recent_auth_required``: a change (any method but GET, HEAD, OPTIONS) older than
``RECENT_AUTH_SECONDS`` (default 900) since then is not made; the person is sent to confirm
it's them, then back to the page they came from, and asked to repeat the action. The POST
is never replayed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "authenticated_at"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def recent_auth_seconds() -> int:
    return int(getattr(settings, "RECENT_AUTH_SECONDS", 900))


def mark_authenticated(request: HttpRequest) -> None:
    """Record that the person proved who they are just now."""
    request.session[SESSION_KEY] = time.time()


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    return isinstance(at, int | float) and time.time() - at < recent_auth_seconds()


def stamp_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:  # noqa: ANN001
    """``user_logged_in`` receiver: signing in is a recent authentication."""
    if request is not None and hasattr(request, "session"):
        mark_authenticated(request)


def safe_local_url(request: HttpRequest, url: str | None) -> str | None:
    """``url`` as a path on this site, or None when it points elsewhere (or nowhere)."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def reauth_url(request: HttpRequest) -> str:
    """The confirmation page, returning to the page the request came from."""
    came_from = request.headers.get("HX-Current-URL") or request.headers.get("Referer")
    back = safe_local_url(request, came_from) or reverse("home")
    return f"{reverse('reauth')}?{urlencode({'next': back, 'repeat': '1'})}"


def recent_auth_required(view: Callable) -> Callable:
    """Changes through ``view`` need a recent authentication (see the module docstring).
    HTMX requests get an ``HX-Redirect`` header instead of a 302."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method in SAFE_METHODS or recently_authenticated(request):
            return view(request, *args, **kwargs)
        url = reauth_url(request)
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)

    return wrapper
