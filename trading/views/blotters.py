"""The trader's pages: blotters of approved trades as block orders with allocations;
create, approve (four eyes), export orders as CSV, import fills as CSV."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from firms.permissions import Action, require
from firms.recent_auth import recent_auth_required
from firms.requests import FirmRequest
from firms.web import error_lines, firm_view
from rebalancer.errors import DomainError
from trading.forms import FillsUploadForm
from trading.models import BlotterStatus
from trading.models.blotters import OrderType, TimeInForce
from trading.selectors.blotters import (
    blotter_fills,
    blotter_get,
    blotter_list,
    blotter_order_get,
    blotter_orders,
    blotter_totals,
)
from trading.selectors.trades import approved_trades_waiting
from trading.services.blotters import (
    blotter_approve,
    blotter_create,
    blotter_order_terms_set,
    order_hold,
)
from trading.services.fills_import import fills_import_csv
from trading.services.orders_export import EXPORT_COLUMNS, orders_export_csv


@firm_view(Action.VIEW_BLOTTERS)
def blotters(request: FirmRequest) -> HttpResponse:
    return render(
        request,
        "trading/blotters.html",
        {
            "blotters": blotter_list(firm=request.firm)[:100],
            "waiting": approved_trades_waiting(firm=request.firm).count(),
        },
    )


@require_POST
@firm_view(Action.TRADE)
def blotter_create_view(request: FirmRequest) -> HttpResponse:
    try:
        blotter = blotter_create(firm=request.firm, actor=request.actor)
    except DomainError as exc:
        messages.error(request, " ".join(error_lines(exc)))
        return redirect("blotters")
    messages.success(request, f"Blotter {blotter.number} created from the approved trades.")
    return redirect("blotter_detail", blotter.pk)


def _detail(request: FirmRequest, blotter, *, upload=None, import_errors=None, status=200):
    return render(
        request,
        "trading/blotter_detail.html",
        {
            "blotter": blotter,
            "totals": blotter_totals(firm=request.firm, blotter=blotter),
            "order_types": OrderType.choices,
            "times_in_force": TimeInForce.choices,
            "can_set_terms": blotter.status not in {BlotterStatus.EXPORTED, BlotterStatus.FILLED},
            "orders": blotter_orders(
                firm=request.firm, blotter=blotter, membership=request.membership
            ),
            "fills": blotter_fills(
                firm=request.firm, blotter=blotter, membership=request.membership
            )[:200],
            "upload": upload or FillsUploadForm(),
            "import_errors": import_errors or [],
            "four_eyes": request.firm.require_four_eyes,
            "can_hold": blotter.status == BlotterStatus.OPEN,
            "can_approve": blotter.status in {BlotterStatus.OPEN, BlotterStatus.PARTLY_APPROVED},
            "can_export": blotter.status
            in {BlotterStatus.APPROVED, BlotterStatus.EXPORTED, BlotterStatus.FILLED},
            "can_import": blotter.status in {BlotterStatus.EXPORTED, BlotterStatus.FILLED},
            "export_columns": EXPORT_COLUMNS,
        },
        status=status,
    )


@firm_view()
def blotter_detail(request: FirmRequest, blotter_id: int) -> HttpResponse:
    blotter = blotter_get(firm=request.firm, blotter_id=blotter_id)
    require(request.membership, Action.VIEW_BLOTTERS)
    return _detail(request, blotter)


@firm_view()
def blotter_approve_confirm(request: FirmRequest, blotter_id: int) -> HttpResponse:
    """What approving will approve (its orders and notional by side), before the trader
    confirms it."""
    blotter = blotter_get(firm=request.firm, blotter_id=blotter_id)
    require(request.membership, Action.VIEW_BLOTTERS)
    require(request.membership, Action.TRADE)
    if blotter.status not in {BlotterStatus.OPEN, BlotterStatus.PARTLY_APPROVED}:
        messages.error(
            request, f"A blotter that is {blotter.get_status_display()} cannot be approved."
        )
        return redirect("blotter_detail", blotter.pk)
    return render(
        request,
        "trading/blotter_approve_confirm.html",
        {
            "blotter": blotter,
            "totals": blotter_totals(firm=request.firm, blotter=blotter),
            "four_eyes": request.firm.require_four_eyes,
        },
    )


def _confirmed_orders(request: FirmRequest) -> int | None:
    raw = request.POST.get("orders")
    return int(raw) if raw is not None and raw.isdigit() else None


@require_POST
@firm_view()
@recent_auth_required
def blotter_approve_view(request: FirmRequest, blotter_id: int) -> HttpResponse:
    blotter = blotter_get(firm=request.firm, blotter_id=blotter_id)
    require(request.membership, Action.VIEW_BLOTTERS)
    require(request.membership, Action.TRADE)
    try:
        blotter = blotter_approve(
            firm=request.firm,
            actor=request.actor,
            blotter=blotter,
            confirmed_orders=_confirmed_orders(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if blotter.status == BlotterStatus.PARTLY_APPROVED:
            messages.success(request, "Approved once: a second trader must also approve.")
        else:
            messages.success(request, "Blotter approved: its orders can be exported.")
    return redirect("blotter_detail", blotter.pk)


@require_POST
@firm_view()
def blotter_export_view(request: FirmRequest, blotter_id: int) -> HttpResponse:
    """The orders as a CSV download (one row per account allocation)."""
    blotter = blotter_get(firm=request.firm, blotter_id=blotter_id)
    require(request.membership, Action.VIEW_BLOTTERS)
    require(request.membership, Action.TRADE)
    try:
        text = orders_export_csv(firm=request.firm, actor=request.actor, blotter=blotter)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("blotter_detail", blotter.pk)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    filename = f"blotter-{blotter.number}-orders.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@firm_view()
def blotter_import_view(request: FirmRequest, blotter_id: int) -> HttpResponse:
    """Fills from a CSV: applied whole, or refused with every bad row named."""
    blotter = blotter_get(firm=request.firm, blotter_id=blotter_id)
    require(request.membership, Action.VIEW_BLOTTERS)
    require(request.membership, Action.TRADE)
    form = FillsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, blotter, upload=form, status=400)
    try:
        count = fills_import_csv(
            firm=request.firm, actor=request.actor, blotter=blotter, text=form.cleaned_data["file"]
        )
    except DomainError as exc:
        return _detail(request, blotter, upload=form, import_errors=error_lines(exc), status=400)
    messages.success(request, f"{count} fill{'s' if count != 1 else ''} imported; lots updated.")
    return redirect("blotter_detail", blotter.pk)


@require_POST
@firm_view()
def blotter_order_hold_view(request: FirmRequest, blotter_id: int, order_id: int) -> HttpResponse:
    """Take one order off the blotter before approval; its trades are held."""
    blotter = blotter_get(firm=request.firm, blotter_id=blotter_id)
    require(request.membership, Action.VIEW_BLOTTERS)
    require(request.membership, Action.TRADE)
    order = blotter_order_get(firm=request.firm, blotter=blotter, order_id=order_id)
    try:
        order_hold(firm=request.firm, actor=request.actor, order=order)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Order {order.pk} ({order.get_side_display()} {order.security.symbol}) held: "
            "its trades are no longer approved and left the blotter.",
        )
    return redirect("blotter_detail", blotter.pk)


@require_POST
@firm_view()
def blotter_order_terms_view(request: FirmRequest, blotter_id: int) -> HttpResponse:
    """Set the blotter's order type and time in force (until export)."""
    blotter = blotter_get(firm=request.firm, blotter_id=blotter_id)
    require(request.membership, Action.VIEW_BLOTTERS)
    require(request.membership, Action.TRADE)
    try:
        blotter = blotter_order_terms_set(
            firm=request.firm,
            actor=request.actor,
            blotter=blotter,
            order_type=request.POST.get("order_type", ""),
            time_in_force=request.POST.get("time_in_force", ""),
        )
    except DomainError as exc:
        messages.error(request, " ".join(error_lines(exc)))
    else:
        messages.success(
            request,
            f"Orders go out as {blotter.get_order_type_display().lower()}, "
            f"{blotter.get_time_in_force_display().lower()}.",
        )
    return redirect("blotter_detail", blotter.pk)
