"""The signed-in person's Security page: set up an authenticator app (multi-factor
sign-in), see how many recovery codes are left, make new ones, or turn it off."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from firms.recent_auth import recent_auth_required
from firms.requests import SignedInRequest
from firms.selectors.mfa import firms_requiring_mfa, mfa_device_get, recovery_codes_left
from firms.services.credentials import TooManyAttempts
from firms.services.mfa import (
    mfa_disable,
    mfa_enrolment_confirm,
    mfa_enrolment_start,
    mfa_recovery_codes_regenerate,
)
from firms.services.mfa_codes import provisioning_uri
from firms.views.auth import too_many
from rebalancer.client_address import client_address
from rebalancer.errors import DomainError

TEMPLATE = "accounts/security.html"


def _qr_svg(uri: str) -> str:
    """The ``otpauth://`` address as an inline SVG QR code (no script, no image request)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#111827", light="#ffffff")


def _context(request: SignedInRequest, **extra) -> dict:
    device = mfa_device_get(user=request.user)
    enrolling = device if device is not None and device.confirmed_at is None else None
    uri = provisioning_uri(device=enrolling) if enrolling else ""
    secret = enrolling.secret if enrolling else ""
    return {
        "device": device,
        "enrolling": enrolling is not None,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "otpauth_uri": uri,
        "qr_svg": _qr_svg(uri) if enrolling else "",
        "codes_left": recovery_codes_left(device=device) if device and not enrolling else None,
        "requiring_firms": firms_requiring_mfa(user=request.user),
        **extra,
    }


def _page(request: SignedInRequest, status: int = 200, **extra) -> HttpResponse:
    response = render(request, TEMPLATE, _context(request, **extra), status=status)
    add_never_cache_headers(response)
    return response


def _codes_page(request: SignedInRequest, codes: list[str], *, first_time: bool) -> HttpResponse:
    """The recovery codes, this once: never cached, never stored in clear."""
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "first_time": first_time}
    )
    add_never_cache_headers(response)
    return response


@login_required
def security(request: SignedInRequest) -> HttpResponse:
    return _page(request)


@require_POST
@login_required
@recent_auth_required
def mfa_enrol(request: SignedInRequest) -> HttpResponse:
    try:
        mfa_enrolment_start(user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("security")


@require_POST
@login_required
@recent_auth_required
def mfa_confirm(request: SignedInRequest) -> HttpResponse:
    try:
        codes = mfa_enrolment_confirm(
            user=request.user, firm=request.firm, code=request.POST.get("code", "")
        )
    except DomainError as exc:
        return _page(request, status=400, confirm_error=exc.message)
    return _codes_page(request, codes, first_time=True)


def _with_credentials(request: SignedInRequest, service, error_key: str):  # noqa: ANN001
    """Run ``service`` with the password and code posted; the page again on a refusal."""
    try:
        return service(
            user=request.user,
            firm=request.firm,
            password=request.POST.get("password", ""),
            code=request.POST.get("code", ""),
            address=client_address(request),
        ), None
    except TooManyAttempts as exc:
        response = too_many(request, TEMPLATE, _context(request), exc)
        add_never_cache_headers(response)
        return None, response
    except DomainError as exc:
        return None, _page(request, status=400, **{error_key: exc.message})


@require_POST
@login_required
def mfa_codes_regenerate(request: SignedInRequest) -> HttpResponse:
    codes, refused = _with_credentials(request, mfa_recovery_codes_regenerate, "codes_error")
    return refused or _codes_page(request, codes, first_time=False)


@require_POST
@login_required
def mfa_turn_off(request: SignedInRequest) -> HttpResponse:
    _, refused = _with_credentials(request, mfa_disable, "disable_error")
    if refused:
        return refused
    messages.success(request, "Multi-factor sign-in is off; your recovery codes no longer work.")
    return redirect("security")
