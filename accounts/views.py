"""Web pages for households and accounts. Thin: selectors do the reading."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.models import TaxStatus
from accounts.selectors.households import (
    account_get,
    account_list,
    household_get,
    household_list,
)

PAGE_SIZE = 25


def firm_required(view):
    """Signed in and a member of a firm; otherwise the firm's pages do not exist for you."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.firm is None:
            raise Http404("You are not a member of any firm.")
        return view(request, *args, **kwargs)

    return wrapper


@firm_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("households")


@firm_required
def households(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page = Paginator(
        household_list(firm=request.firm, membership=request.membership, search=search), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "accounts/households.html", {"page": page, "q": search})


@firm_required
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    household = household_get(
        firm=request.firm, household_id=household_id, membership=request.membership
    )
    accounts = account_list(firm=request.firm, membership=request.membership, household=household)
    return render(
        request,
        "accounts/household_detail.html",
        {"household": household, "accounts": accounts, "clients": household.clients.all()},
    )


@firm_required
def accounts(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    tax_status = request.GET.get("tax_status", "")
    if tax_status not in TaxStatus.values:
        tax_status = ""
    qs = account_list(
        firm=request.firm, membership=request.membership, search=search, tax_status=tax_status
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/accounts.html",
        {"page": page, "q": search, "tax_status": tax_status, "tax_statuses": TaxStatus.choices},
    )


@firm_required
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_get(firm=request.firm, account_id=account_id, membership=request.membership)
    return render(request, "accounts/account_detail.html", {"account": account})
