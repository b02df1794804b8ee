"""The firm's equivalence sets: securities counted as one line when drift is measured.
Anyone who may see the models reads them; model managers and firm admins change them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from firms.permissions import Action, require
from firms.recent_auth import recent_auth_required
from firms.requests import FirmRequest
from firms.web import add_service_errors, error_lines, firm_view
from models_library.forms import EquivalenceSetForm
from models_library.selectors.equivalents import (
    equivalence_set_get,
    equivalence_set_list,
    set_symbols,
)
from models_library.services.equivalents import equivalence_set_delete, equivalence_set_save
from rebalancer.errors import DomainError


@firm_view(Action.VIEW_MODELS)
@recent_auth_required
def equivalence_sets(request: FirmRequest) -> HttpResponse:
    """The list, and a form for a new set (or, with ``?edit=ID``, for changing one)."""
    editing = None
    edit_id = request.POST.get("set_id") or request.GET.get("edit", "")
    if edit_id.isdigit():
        editing = equivalence_set_get(firm=request.firm, set_id=int(edit_id))
    initial = (
        {"name": editing.name, "note": editing.note, "symbols": ", ".join(set_symbols(editing))}
        if editing
        else None
    )
    form = EquivalenceSetForm(initial=initial)
    if request.method == "POST":
        require(request.membership, Action.MANAGE_MODELS)
        form = EquivalenceSetForm(request.POST)
        if form.is_valid():
            try:
                saved = equivalence_set_save(
                    firm=request.firm,
                    actor=request.actor,
                    equivalence_set=editing,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Equivalence set {saved.name} saved.")
                return redirect("equivalence_sets")
    return render(
        request,
        "models_library/equivalence_sets.html",
        {
            "sets": [(s, set_symbols(s)) for s in equivalence_set_list(firm=request.firm)],
            "form": form,
            "editing": editing,
        },
    )


@require_POST
@firm_view(Action.MANAGE_MODELS)
@recent_auth_required
def equivalence_set_remove(request: FirmRequest, set_id: int) -> HttpResponse:
    removed = equivalence_set_get(firm=request.firm, set_id=set_id)
    try:
        equivalence_set_delete(firm=request.firm, actor=request.actor, equivalence_set=removed)
    except DomainError as exc:
        messages.error(request, " ".join(error_lines(exc)))
    else:
        messages.success(request, f"Equivalence set {removed.name} deleted.")
    return redirect("equivalence_sets")
