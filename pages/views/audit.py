"""Compliance: the firm's audit log with filters, and one account's full history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render

from accounts.selectors.audit import account_history, audit_actions, audit_list
from accounts.selectors.households import account_get, account_get_by_number
from firms.permissions import Action
from firms.requests import FirmRequest
from firms.web import firm_view, paginate
from trading.selectors.proposals import account_proposals
from trading.selectors.trades import account_fills


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@firm_view(Action.VIEW_AUDIT)
def audit_log(request: FirmRequest) -> HttpResponse:
    get = request.GET
    account_number = get.get("account", "").strip()
    account_id = _account_id(request, account_number) if account_number else None
    filters: dict[str, Any] = {
        "action": get.get("action", "").strip(),
        "actor": get.get("actor", "").strip(),
        "since": _date(get.get("since", "")),
        "until": _date(get.get("until", "")),
    }
    events = audit_list(firm=request.firm, account_id=account_id, **filters)
    return render(
        request,
        "accounts/audit_log.html",
        {
            "page": paginate(request, events, 50),
            "filters": filters,
            "account_number": account_number,
            "actions": audit_actions(firm=request.firm),
        },
    )


def _account_id(request: FirmRequest, number: str) -> int:
    """The id of the firm's account with that number; -1 (matching nothing) if none."""
    try:
        return account_get_by_number(firm=request.firm, account_number=number).pk
    except Http404:
        return -1


@firm_view(Action.VIEW_BOOK)
def account_history_page(request: FirmRequest, account_id: int) -> HttpResponse:
    account = account_get(firm=request.firm, account_id=account_id, membership=request.membership)
    return render(
        request,
        "accounts/account_history.html",
        {
            "account": account,
            "page": paginate(request, account_history(firm=request.firm, account=account), 50),
            "proposals": account_proposals(firm=request.firm, account=account),
            "fills": account_fills(firm=request.firm, account=account),
        },
    )
