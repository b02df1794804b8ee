"""Firms that require multi-factor sign-in: their people set it up before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from firms.selectors.mfa import mfa_confirmed


class FirmRequiresMfaMiddleware:
    """When the person's current firm (``request.firm``, so this goes right after
    ``FirmMiddleware``) requires multi-factor sign-in and they have not set it up, every
    page but the Security page, re-authentication, sign-out and static files sends them to
    the Security page. The API (``/api/``: machine credentials) is left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def _exempt(self, path: str) -> bool:
        prefixes = (
            reverse("security"),
            reverse("reauth"),
            reverse("logout"),
            "/" + settings.STATIC_URL.lstrip("/"),
            "/api/",
        )
        return path.startswith(prefixes)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        firm = getattr(request, "firm", None)
        if (
            firm is None
            or not firm.require_mfa
            or self._exempt(request.path)
            or not request.user.is_authenticated
            or mfa_confirmed(user=request.user)
        ):
            return self.get_response(request)
        url = reverse("security")
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
