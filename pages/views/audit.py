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
from firms.web import csv_download, firm_view, paginate, wants_csv
from trading.selectors.exports import audit_csv
from trading.selectors.proposals import account_proposals
from trading.selectors.trades import account_fills

DATE_FIELDS = {"since": "From", "until": "To"}


def _dates(get) -> tuple[dict[str, dt.date | None], list[str]]:
    """The log's date filters, and a line for each one that is not a date (left unapplied)."""
    dates: dict[str, dt.date | None] = {}
    errors = []
    for field, label in DATE_FIELDS.items():
        text = get.get(field, "").strip()
        try:
            dates[field] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            dates[field] = None
            errors.append(
                f"{label}: “{text}” is not a date (use YYYY-MM-DD, e.g. 2026-01-31); "
                "the log is shown without it"
            )
    return dates, errors


@firm_view(Action.VIEW_AUDIT)
def audit_log(request: FirmRequest) -> HttpResponse:
    """The firm's log, filtered; ``?format=csv`` downloads every filtered event."""
    get = request.GET
    account_number = get.get("account", "").strip()
    account_id = _account_id(request, account_number) if account_number else None
    dates, date_errors = _dates(get)
    filters: dict[str, Any] = {
        "action": get.get("action", "").strip(),
        "actor": get.get("actor", "").strip(),
        **dates,
    }
    events = audit_list(firm=request.firm, account_id=account_id, **filters)
    if wants_csv(request):
        return csv_download(audit_csv(events=events), filename=f"audit-{request.firm.slug}.csv")
    return render(
        request,
        "accounts/audit_log.html",
        {
            "page": paginate(request, events, 50),
            "filters": filters,
            "raw_dates": {field: get.get(field, "") for field in DATE_FIELDS},
            "date_errors": date_errors,
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
