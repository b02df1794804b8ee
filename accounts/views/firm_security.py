"""A firm's security settings, for its firm admins: whether everyone must use
multi-factor sign-in, and who has not set it up yet."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.permissions import Action
from accounts.recent_auth import recent_auth_required
from accounts.selectors.mfa import members_without_mfa
from accounts.services.firm_security import firm_security_update

from .base import firm_view


@firm_view(Action.MANAGE_FIRM)
@recent_auth_required
def firm_security(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        require_mfa = request.POST.get("require_mfa") == "on"
        firm_security_update(firm=request.firm, actor=request.user, require_mfa=require_mfa)
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
        {"without_mfa": members_without_mfa(firm=request.firm)},
    )
