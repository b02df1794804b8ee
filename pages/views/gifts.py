"""An account's planned charitable gifts: the list, a form to plan one, cancelling one.
The services validate (naming the field) and audit."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.selectors.households import account_get
from firms.permissions import Action, require
from firms.recent_auth import recent_auth_required
from firms.requests import FirmRequest
from firms.web import add_service_errors, firm_view
from rebalancer.errors import DomainError
from trading.forms import GiftForm
from trading.selectors.gifts import GIFT_HORIZON_DAYS, account_gifts, gift_get
from trading.services.gifts import planned_gift_cancel, planned_gift_create


def gifts_context(request: FirmRequest, account, form: GiftForm | None = None) -> dict:
    """What the gifts card needs (the account page includes it too)."""
    return {
        "gifts": account_gifts(firm=request.firm, account=account),
        "gift_form": form or GiftForm(prefix="gift"),
        "gift_horizon_days": GIFT_HORIZON_DAYS,
    }


@firm_view(Action.VIEW_BOOK)
@recent_auth_required
def account_gifts_page(request: FirmRequest, account_id: int) -> HttpResponse:
    account = account_get(firm=request.firm, account_id=account_id, membership=request.membership)
    form = None
    if request.method == "POST":
        require(request.membership, Action.EDIT_PREFERENCES)
        form = GiftForm(request.POST, prefix="gift")
        if form.is_valid():
            try:
                planned_gift_create(
                    firm=request.firm, actor=request.actor, account=account, **form.cleaned_data
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Gift planned.")
                return redirect("account_gifts", account_id=account.pk)
    return render(
        request,
        "accounts/account_gifts.html",
        {"account": account, **gifts_context(request, account, form)},
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@firm_view(Action.VIEW_BOOK)
@recent_auth_required
def account_gift_cancel(request: FirmRequest, account_id: int, gift_id: int) -> HttpResponse:
    account = account_get(firm=request.firm, account_id=account_id, membership=request.membership)
    gift = gift_get(firm=request.firm, account=account, gift_id=gift_id)
    require(request.membership, Action.EDIT_PREFERENCES)
    try:
        planned_gift_cancel(firm=request.firm, actor=request.actor, gift=gift)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Gift cancelled.")
    return redirect("account_gifts", account_id=account.pk)
