"""A firm's security settings, for its firm admins: whether everyone must use
multi-factor sign-in, who has not set it up yet, and resetting a member's (a lost phone)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from firms.permissions import Action
from firms.recent_auth import recent_auth_required
from firms.requests import FirmRequest
from firms.selectors.memberships import firm_member_get
from firms.selectors.mfa import members_with_mfa, members_without_mfa, mfa_device_get
from firms.services.firm_security import firm_security_update
from firms.services.mfa_reset import mfa_reset
from firms.web import firm_view
from rebalancer.errors import DomainError


@firm_view(Action.MANAGE_FIRM)
@recent_auth_required
def firm_security(request: FirmRequest) -> HttpResponse:
    if request.method == "POST":
        require_mfa = request.POST.get("require_mfa") == "on"
        firm_security_update(firm=request.firm, actor=request.actor, require_mfa=require_mfa)
        messages.success(
            request,
            "Multi-factor sign-in is now required of everyone in the firm."
            if require_mfa
            else "Multi-factor sign-in is now each person's choice.",
        )
        return redirect("firm_security")
    return render(
        request,
        "accounts/firm_security.html",
        {
            "with_mfa": members_with_mfa(firm=request.firm),
            "without_mfa": members_without_mfa(firm=request.firm),
        },
    )


@firm_view(Action.MANAGE_FIRM)
@recent_auth_required
def member_mfa_reset(request: FirmRequest, user_id: int) -> HttpResponse:
    """GET: what resetting a member's multi-factor sign-in does, and the button (no script:
    the confirmation is this page). POST: reset it."""
    member = firm_member_get(firm=request.firm, user_id=user_id)
    if request.method == "POST":
        try:
            mfa_reset(firm=request.firm, actor=request.actor, user_id=member.user_id)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("firm_security")
        messages.success(
            request,
            f"The multi-factor sign-in of {member.user.get_username()} is reset: "
            "their authenticator and recovery codes no longer work.",
        )
        return redirect("firm_security")
    return render(
        request,
        "accounts/mfa_reset_confirm.html",
        {
            "member": member,
            "device": mfa_device_get(user=member.user),
            "is_self": member.user_id == request.user.pk,
        },
    )
