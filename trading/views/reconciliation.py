"""Operations: the custodian's statements, the accounts out of balance, their resolution."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from firms.permissions import Action, can
from firms.requests import FirmRequest
from firms.web import error_lines, firm_view
from rebalancer.errors import DomainError
from rebalancer.tenancy import get_for_firm_or_404
from trading.forms import CustodianPositionsUploadForm, ResolveForm
from trading.models import Reconciliation
from trading.selectors.reconciliation import reconciliations_open
from trading.services.reconciliation import custodian_positions_import_csv
from trading.services.reconciliation_resolve import reconciliation_resolve


def _page(request: FirmRequest, *, upload=None, import_errors=None, status: int = 200):
    context = {
        "open": reconciliations_open(firm=request.firm)[:500],
        "upload": upload or CustodianPositionsUploadForm(),
        "import_errors": import_errors or [],
        "can_resolve": can(request.membership, Action.TRADE),
    }
    return render(request, "trading/reconciliation.html", context, status=status)


@firm_view(Action.VIEW_BLOTTERS)
def reconciliation(request: FirmRequest) -> HttpResponse:
    return _page(request)


@require_POST
@firm_view(Action.TRADE)
def reconciliation_import_view(request: FirmRequest) -> HttpResponse:
    """A custodian CSV: compared whole, or refused with every bad row named."""
    form = CustodianPositionsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, upload=form, status=400)
    try:
        result = custodian_positions_import_csv(
            firm=request.firm, actor=request.actor, text=form.cleaned_data["file"]
        )
    except DomainError as exc:
        return _page(request, upload=form, import_errors=error_lines(exc), status=400)
    messages.success(
        request,
        f"{result.accounts} account(s) compared; {len(result.out_of_balance)} out of balance.",
    )
    return redirect("reconciliation")


@require_POST
@firm_view(Action.TRADE)
def reconciliation_resolve_view(request: FirmRequest, reconciliation_id: int) -> HttpResponse:
    get_for_firm_or_404(Reconciliation.objects.all(), firm=request.firm, pk=reconciliation_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or pending.")
        return redirect("reconciliation")
    try:
        resolved = reconciliation_resolve(
            firm=request.firm,
            actor=request.actor,
            reconciliation_id=reconciliation_id,
            accept=form.cleaned_data["decision"] == "accept",
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reconciliation")
    messages.success(
        request, f"{resolved.account.account_number}: {resolved.get_status_display().lower()}."
    )
    return redirect("reconciliation")
