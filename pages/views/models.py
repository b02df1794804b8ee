"""Model manager pages: models and versions, a version's weights and allocation chart,
the draft editor, publishing, comparing two versions, the accounts on a model and a
what-if of a version on a sample of them."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import plain
from accounts.selectors.households import account_get, model_accounts
from accounts.services.model_assignment import model_assign
from firms.permissions import Action, require
from firms.recent_auth import recent_auth_required
from firms.requests import FirmRequest
from firms.web import add_service_errors, error_lines, firm_view, paginate
from models_library.forms import (
    DraftCsvForm,
    DraftNoteForm,
    LineFormSet,
    ModelCreateForm,
    ModelSettingsForm,
)
from models_library.models import ModelPortfolio
from models_library.selectors.model_defaults import KIND_IN_WORDS, model_defaults
from models_library.selectors.models import model_get, version_get
from models_library.selectors.resolution import version_security_weights
from models_library.selectors.securities import security_search
from models_library.selectors.versions import (
    model_draft,
    model_versions,
    models_with_versions,
    publish_preview,
    sub_model_choices,
    version_lines,
    weights_compared,
    weights_grouped,
)
from models_library.services.draft_csv import draft_save_csv
from models_library.services.model_settings import model_tracking_error_limit_set
from models_library.services.versions import draft_save, model_create, version_publish
from rebalancer.errors import DomainError
from trading.selectors.proposals import book_as_of
from trading.services.what_if import version_what_if

CHART_SLICES = 15


def _chart(weights: dict[str, Decimal]) -> dict:
    """Doughnut data, largest first; past ``CHART_SLICES`` the rest is one "other" slice."""
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(ranked) > CHART_SLICES:
        rest = sum((w for _, w in ranked[CHART_SLICES - 1 :]), Decimal(0))
        ranked = [*ranked[: CHART_SLICES - 1], (f"{len(ranked) - CHART_SLICES + 1} others", rest)]
    return {
        "labels": [label.replace("_", " ") for label, _ in ranked],
        "values": [float(round(w * 100, 4)) for _, w in ranked],
    }


def _group_chart(weights: dict[str, Decimal]) -> dict:
    field, grouped = weights_grouped(weights)
    return {"group_label": field.replace("_", " "), "class_chart": _chart(grouped)}


def _resolved(version) -> tuple[dict[str, Decimal], str]:
    try:
        return version_security_weights(version=version), ""
    except DomainError as exc:
        return {}, exc.message


@firm_view(Action.VIEW_MODELS)
@recent_auth_required
def models(request: FirmRequest) -> HttpResponse:
    form = ModelCreateForm()
    if request.method == "POST":
        require(request.membership, Action.MANAGE_MODELS)
        form = ModelCreateForm(request.POST)
        if form.is_valid():
            try:
                model = model_create(firm=request.firm, actor=request.actor, **form.cleaned_data)
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Model {model.name} created; add its first draft.")
                return redirect("draft_edit", model.pk)
    return render(
        request,
        "models_library/models.html",
        {"models": models_with_versions(firm=request.firm), "form": form},
    )


@firm_view()
def model_detail(request: FirmRequest, model_id: int) -> HttpResponse:
    model = model_get(firm=request.firm, model_id=model_id)
    require(request.membership, Action.VIEW_MODELS)
    return _model_page(request, model)


@require_POST
@firm_view()
@recent_auth_required
def model_settings(request: FirmRequest, model_id: int) -> HttpResponse:
    """Set the tracking-error limit a model gives its accounts (model managers)."""
    model = model_get(firm=request.firm, model_id=model_id)
    require(request.membership, Action.MANAGE_MODELS)
    form = ModelSettingsForm(request.POST)
    if form.is_valid():
        try:
            model_tracking_error_limit_set(
                firm=request.firm,
                actor=request.actor,
                model=model,
                limit_pct=form.cleaned_data["tracking_error_limit_pct"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Tracking-error limit saved.")
            return redirect("model_detail", model.pk)
    return _model_page(request, model, settings_form=form)


def _model_page(
    request: FirmRequest, model: ModelPortfolio, *, settings_form: ModelSettingsForm | None = None
) -> HttpResponse:
    if settings_form is None:
        settings_form = ModelSettingsForm(
            initial={"tracking_error_limit_pct": model.tracking_error_limit_pct}
        )
    defaults = model_defaults(firm=request.firm, model_ids=[model.pk])[model.pk]
    versions = list(model_versions(firm=request.firm, model=model))
    current = next((v for v in versions if v.is_published), None)
    weights, error = _resolved(current) if current else ({}, "")
    accounts = model_accounts(firm=request.firm, model=model, membership=request.membership)
    return render(
        request,
        "models_library/model_detail.html",
        {
            "model": model,
            "versions": versions,
            "current": current,
            "draft": next((v for v in versions if not v.is_published), None),
            "weights": weights,
            "resolve_error": error,
            "chart": _chart(weights),
            **_group_chart(weights),
            "accounts": paginate(request, accounts),
            "settings_form": settings_form,
            "defaults": defaults,
            "kind_in_words": KIND_IN_WORDS[defaults.kind],
        },
    )


@firm_view()
def version_detail(request: FirmRequest, version_id: int) -> HttpResponse:
    version = version_get(firm=request.firm, version_id=version_id)
    require(request.membership, Action.VIEW_MODELS)
    weights, error = _resolved(version)
    return render(
        request,
        "models_library/version_detail.html",
        {
            "version": version,
            "model": version.model,
            "lines": version_lines(version=version),
            "weights": weights,
            "total": sum(weights.values(), Decimal(0)),
            "resolve_error": error,
            "chart": _chart(weights),
            **_group_chart(weights),
        },
    )


def _initial_rows(draft, source) -> list[dict]:
    version = draft or source
    if version is None:
        return []
    return [
        {
            "security": line.security.symbol if line.security is not None else "",
            "sub_model": line.sub_model_id,
            "weight": plain(line.weight * 100),
        }
        for line in version_lines(version=version)
    ]


@firm_view()
@recent_auth_required
def draft_edit(request: FirmRequest, model_id: int) -> HttpResponse:
    """Edit the model's draft (started from the latest published version when there is
    none), line by line or by pasting or uploading a CSV of symbol and weight."""
    model = model_get(firm=request.firm, model_id=model_id)
    require(request.membership, Action.MANAGE_MODELS)
    draft = model_draft(firm=request.firm, model=model)
    kwargs = {"sub_models": sub_model_choices(firm=request.firm, model=model)}
    general: list[str] = []
    csv_errors: list[str] = []
    published = next((v for v in model_versions(firm=request.firm, model=model)), None)
    note_initial = {"note": draft.note if draft else "", "version": draft.pk if draft else None}
    formset = None
    csv_form = DraftCsvForm(initial=note_initial)
    note = DraftNoteForm(initial=note_initial)
    if request.method == "POST" and request.POST.get("action") == "csv":
        csv_form = DraftCsvForm(request.POST, request.FILES)
        if csv_form.is_valid():
            try:
                saved = draft_save_csv(
                    firm=request.firm,
                    actor=request.actor,
                    model=model,
                    text=csv_form.cleaned_data["text"],
                    note=csv_form.cleaned_data["note"],
                    version=_edited_version(request, csv_form.cleaned_data["version"], draft),
                )
            except DomainError as exc:
                csv_errors = _csv_error_lines(exc)
            else:
                return _saved(request, saved)
    elif request.method == "POST":
        formset = LineFormSet(request.POST, form_kwargs=kwargs)
        note = DraftNoteForm(request.POST)
        if formset.is_valid() and note.is_valid():
            filled = [f for f in formset.forms if not f.is_blank()]
            try:
                saved = draft_save(
                    firm=request.firm,
                    actor=request.actor,
                    model=model,
                    rows=[f.service_row() for f in filled],
                    note=note.cleaned_data["note"],
                    version=_edited_version(request, note.cleaned_data["version"], draft),
                )
            except DomainError as exc:
                general = _errors_on_rows(filled, exc)
            else:
                return _saved(request, saved)
    if formset is None:
        formset = LineFormSet(initial=_initial_rows(draft, published), form_kwargs=kwargs)
    return render(
        request,
        "models_library/draft_edit.html",
        {
            "model": model,
            "draft": draft,
            "formset": formset,
            "sub_model_options": [(str(m.pk), m.name) for m in kwargs["sub_models"]],
            "note_form": note,
            "csv_form": csv_form,
            "csv_errors": csv_errors,
            "general_errors": general,
        },
    )


def _saved(request: FirmRequest, saved) -> HttpResponse:
    lines = version_lines(version=saved)
    total = sum((line.weight for line in lines), Decimal(0))
    messages.success(
        request,
        f"Draft v{saved.number} saved. {len(lines)} lines, {plain(total * 100)} % "
        f"(the rest, {plain((1 - total) * 100)} %, is cash).",
    )
    return redirect("version_detail", saved.pk)


def _csv_error_lines(exc: DomainError) -> list[str]:
    """Each CSV problem as 'Line 3, weight: ...' (the row is the file's line number)."""
    lines = []
    for row, field, message in getattr(exc, "errors", None) or [(exc.row, exc.field, exc.message)]:
        where = ", ".join(
            part
            for part in (f"Line {row}" if row else "", f"column {field}" if field else "")
            if part
        )
        lines.append(f"{where}: {message}" if where else message)
    return lines


@firm_view()
def security_search_view(request: FirmRequest) -> JsonResponse:
    """The security master's matches for the editor's autocomplete (symbol, name)."""
    require(request.membership, Action.VIEW_MODELS)
    found = security_search(query=request.GET.get("q", "")[:40])
    return JsonResponse({"results": [{"symbol": s.symbol, "name": s.name} for s in found]})


def _edited_version(request: FirmRequest, version_id: int | None, draft):
    """The draft the editor was opened on (its hidden field), else the current draft."""
    if version_id is None:
        return draft
    return version_get(firm=request.firm, version_id=version_id)


def _errors_on_rows(filled: list, exc: DomainError) -> list[str]:
    """Put each service error on the form row it names (rows count only filled lines);
    return the errors about the draft as a whole (such as a total above 100 %)."""
    general = []
    for row, field, message in getattr(exc, "errors", None) or [(exc.row, exc.field, exc.message)]:
        if row is not None and 1 <= row <= len(filled):
            form = filled[row - 1]
            form.add_error(field if field in form.fields else None, message)
        else:
            general.append(f"{field}: {message}" if field else message)
    return general


@firm_view()
@recent_auth_required
def version_publish_confirm(request: FirmRequest, version_id: int) -> HttpResponse:
    """What publishing this draft will change, with the button that publishes it."""
    version = version_get(firm=request.firm, version_id=version_id)
    require(request.membership, Action.MANAGE_MODELS)
    if version.is_published:
        messages.error(request, "Only a draft can be published; this version is already published.")
        return redirect("version_detail", version.pk)
    return render(
        request,
        "models_library/publish_confirm.html",
        {
            "version": version,
            "model": version.model,
            "preview": publish_preview(firm=request.firm, version=version),
        },
    )


@require_POST
@firm_view()
@recent_auth_required
def version_publish_view(request: FirmRequest, version_id: int) -> HttpResponse:
    version = version_get(firm=request.firm, version_id=version_id)
    require(request.membership, Action.VIEW_MODELS)
    require(request.membership, Action.MANAGE_MODELS)
    try:
        version_publish(firm=request.firm, actor=request.actor, version=version)
    except DomainError as exc:
        messages.error(request, " ".join(error_lines(exc)))
    else:
        messages.success(request, f"Version {version.number} published; it will never change.")
    return redirect("version_detail", version.pk)


@firm_view()
def versions_compare(request: FirmRequest, model_id: int) -> HttpResponse:
    model = model_get(firm=request.firm, model_id=model_id)
    require(request.membership, Action.VIEW_MODELS)
    versions = list(model_versions(firm=request.firm, model=model))
    by_id = {str(v.pk): v for v in versions}
    a = by_id.get(request.GET.get("a", "")) or (versions[1] if len(versions) > 1 else None)
    b = by_id.get(request.GET.get("b", "")) or (versions[0] if versions else None)
    weights_a, error_a = _resolved(a) if a else ({}, "")
    weights_b, error_b = _resolved(b) if b else ({}, "")
    return render(
        request,
        "models_library/compare.html",
        {
            "model": model,
            "versions": versions,
            "a": a,
            "b": b,
            "rows": weights_compared(weights_a, weights_b),
            "errors": [e for e in (error_a, error_b) if e],
        },
    )


@require_POST
@firm_view()
def version_what_if_view(request: FirmRequest, version_id: int) -> HttpResponse:
    """Solve a sample of the model's accounts against this version (nothing is saved)."""
    version = version_get(firm=request.firm, version_id=version_id)
    require(request.membership, Action.VIEW_MODELS)
    require(request.membership, Action.MANAGE_MODELS)
    try:
        what_if = version_what_if(
            firm=request.firm, version=version, as_of=book_as_of(firm=request.firm)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("version_detail", version.pk)
    return render(
        request,
        "models_library/what_if.html",
        {"what_if": what_if, "version": version, "model": version.model},
    )


@require_POST
@firm_view()
@recent_auth_required
def account_model_assign(request: FirmRequest, account_id: int) -> HttpResponse:
    """Put an account on a model (its latest published version becomes the target)."""
    account = account_get(firm=request.firm, account_id=account_id, membership=request.membership)
    require(request.membership, Action.MANAGE_MODELS)
    model_id = request.POST.get("model", "")
    model = model_get(firm=request.firm, model_id=int(model_id) if model_id.isdigit() else 0)
    try:
        model_assign(firm=request.firm, actor=request.actor, account=account, model=model)
    except DomainError as exc:
        messages.error(request, " ".join(error_lines(exc)))
    else:
        messages.success(request, f"{account.account_number} now follows {model.name}.")
    return redirect("account_detail", account.pk)
