"""The advisor's book: the dashboard, households and accounts lists, one household, one
account. Thin: selectors read, nothing is written here."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.models import TaxStatus
from accounts.selectors.households import account_get, household_get
from accounts.selectors.preferences import RISK_FIELDS
from firms.permissions import Action, home_for
from firms.requests import FirmRequest
from firms.web import csv_download, firm_view, paginate, wants_csv
from models_library.selectors.models import model_list
from pages.views.gifts import gifts_context
from pages.views.preferences import effective_in_words
from trading.models import ProposalStatus
from trading.selectors.account_overview import account_overview
from trading.selectors.account_search import (
    ACCOUNT_SORTS,
    HOUSEHOLD_SORTS,
    account_search,
    household_search,
)
from trading.selectors.dashboard import dashboard as dashboard_data
from trading.selectors.exports import accounts_csv, lots_csv
from trading.selectors.household_allocation import household_allocation
from trading.selectors.household_proposals import household_managed_context
from trading.selectors.proposals import account_proposals, book_as_of, current_proposal
from trading.selectors.realized import realized_gains_summary
from trading.selectors.tax_saved import tax_saved_year_to_date

CHART_SECURITIES = 15
FLAG_CHOICES = [("", "Any"), ("yes", "Flagged"), ("no", "Not flagged")]


@firm_view()
def home(request: FirmRequest) -> HttpResponse:
    return redirect(home_for(request.membership))


@firm_view(Action.VIEW_BOOK)
def dashboard(request: FirmRequest) -> HttpResponse:
    as_of = book_as_of(firm=request.firm)
    data = dashboard_data(firm=request.firm, membership=request.membership, as_of=as_of)
    return render(request, "accounts/dashboard.html", {**data, "as_of": as_of})


@firm_view(Action.VIEW_BOOK)
def households(request: FirmRequest) -> HttpResponse:
    params = {
        "search": request.GET.get("q", "").strip(),
        "flagged": request.GET.get("flagged", ""),
        "sort": request.GET.get("sort", "name"),
    }
    qs = household_search(firm=request.firm, membership=request.membership, **params)
    return render(
        request,
        "accounts/households.html",
        {
            "page": paginate(request, qs),
            **params,
            "q": params["search"],
            "flag_choices": FLAG_CHOICES,
            "sorts": HOUSEHOLD_SORTS,
        },
    )


@firm_view(Action.VIEW_BOOK)
def household_detail(request: FirmRequest, household_id: int) -> HttpResponse:
    household = household_get(
        firm=request.firm, household_id=household_id, membership=request.membership
    )
    accounts = account_search(
        firm=request.firm, membership=request.membership, sort=request.GET.get("sort", "account")
    ).filter(household=household)
    as_of = book_as_of(firm=request.firm)
    realized = realized_gains_summary(firm=request.firm, year=as_of.year, household=household)
    saved = tax_saved_year_to_date(firm=request.firm, accounts=accounts, through=as_of)
    allocation = household_allocation(firm=request.firm, household=household, as_of=as_of)
    return render(
        request,
        "accounts/household_detail.html",
        {
            "household": household,
            "accounts": accounts,
            "clients": household.clients.all(),
            "realized": realized,
            "saved": saved,
            "allocation": allocation,
            **household_managed_context(firm=request.firm, household=household),
        },
    )


def _fraction(text: str) -> Decimal | None:
    try:
        return Decimal(text) / 100 if text.strip() else None
    except InvalidOperation:
        return None


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


@firm_view(Action.VIEW_BOOK)
def accounts(request: FirmRequest) -> HttpResponse:
    get = request.GET
    tax_status = get.get("tax_status", "")
    proposal_status = get.get("proposal_status", "")
    filters: dict[str, Any] = {
        "search": get.get("q", "").strip(),
        "tax_status": tax_status if tax_status in TaxStatus.values else "",
        "model_id": _int(get.get("model", "")),
        "min_drift": _fraction(get.get("min_drift", "")),
        "proposal_status": proposal_status
        if proposal_status in {*ProposalStatus.values, "none"}
        else "",
        "flagged": get.get("flagged", ""),
        "sort": get.get("sort", "account"),
    }
    qs = account_search(firm=request.firm, membership=request.membership, **filters)
    if wants_csv(request):
        rows = qs.select_related("household", "model_assignment__model")
        return csv_download(
            accounts_csv(accounts=rows), filename=f"accounts-{request.firm.slug}.csv"
        )
    return render(
        request,
        "accounts/accounts.html",
        {
            "page": paginate(request, qs),
            "filters": filters,
            "q": filters["search"],
            "min_drift": get.get("min_drift", ""),
            "tax_statuses": TaxStatus.choices,
            "models": model_list(firm=request.firm),
            "proposal_statuses": [*ProposalStatus.choices, ("none", "No proposal")],
            "flag_choices": FLAG_CHOICES,
            "sorts": ACCOUNT_SORTS,
        },
    )


@firm_view(Action.VIEW_BOOK)
def account_detail(request: FirmRequest, account_id: int) -> HttpResponse:
    account = account_get(firm=request.firm, account_id=account_id, membership=request.membership)
    as_of = book_as_of(firm=request.firm)
    overview = account_overview(firm=request.firm, account=account, as_of=as_of)
    grouping = ""
    rows = [(h.symbol, h.weight, h.target) for h in overview.holdings]
    if len(rows) > CHART_SECURITIES:
        grouping = "asset_class" if len(overview.grouped("asset_class")) > 1 else "sector"
        rows = overview.grouped(grouping)
    rows = [*rows, ("Cash", overview.cash_weight, overview.cash_target)]
    chart = {
        "grouping": grouping,
        "labels": [label for label, _, _ in rows],
        "current": [float(round(weight * 100, 2)) for _, weight, _ in rows],
        "target": [float(round(target * 100, 2)) for _, _, target in rows],
    }
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "o": overview,
            "chart": chart,
            "proposal": current_proposal(firm=request.firm, account=account),
            "proposals": account_proposals(firm=request.firm, account=account)[:10],
            "models": model_list(firm=request.firm),
            "risk_menu": effective_in_words(overview.preferences, RISK_FIELDS),
            **gifts_context(request, account),
        },
    )


@firm_view(Action.VIEW_BOOK)
def account_lots_csv(request: FirmRequest, account_id: int) -> HttpResponse:
    """The account's open lots as its page shows them, as a CSV download."""
    account = account_get(firm=request.firm, account_id=account_id, membership=request.membership)
    overview = account_overview(
        firm=request.firm, account=account, as_of=book_as_of(firm=request.firm)
    )
    return csv_download(lots_csv(lots=overview.lots), filename=f"lots-{account.account_number}.csv")
