"""The preference menus of a household (the defaults) and of an account (its overrides),
with the household default shown beside each override, and their change history."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import (
    FIELD_ORDER,
    LABELS,
    PreferencesForm,
    plain,
    risk_aversion_words,
)
from accounts.models import GainCapScope
from accounts.rule_forms import RULE_FORMS
from accounts.selectors.audit import account_preference_history, household_preference_history
from accounts.selectors.households import account_get, household_get
from accounts.selectors.preference_rules import (
    household_defaults,
    own_preference_set,
    own_rules,
    rule_get,
)
from accounts.selectors.preferences import EffectivePreferences, effective_preferences
from accounts.services import preferences as services
from firms.permissions import Action, require
from firms.recent_auth import recent_auth_required
from firms.requests import FirmRequest
from firms.web import add_service_errors, firm_view, paginate
from models_library.selectors.securities import SCREEN_COLUMNS, screen_values
from rebalancer.errors import DomainError
from trading.selectors.account_overview import cash_need_warning
from trading.selectors.proposals import book_as_of, current_proposal

RATE_FIELDS = {
    "short_term_rate",
    "long_term_rate",
    "ordinary_income_rate",
    "carryforward_discount_rate",
}
CAP_FIELDS = {"max_realized_gain_usd", "max_short_term_gain_usd"}
LIMIT_FIELDS = {"sector_limit_pct", "asset_class_limit_pct"}
NONE_SHOWN = {
    **dict.fromkeys(CAP_FIELDS, "No cap"),
    **dict.fromkeys(LIMIT_FIELDS, "No limit"),
    "tracking_error_limit_pct": "The model's",
    "tax_filer": "The household's filer",
    "ordinary_income_rate": "The short-term rate",
    "annual_tax_budget_usd": "No budget",
    "harvest_gains_up_to_usd": "No gain harvesting",
}


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return NONE_SHOWN.get(name, "—")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in RATE_FIELDS:
        return f"{Decimal(value) * 100:.2f} %"
    if name == "cost_bps":
        return f"{Decimal(value):.2f} bps"
    if name == "tracking_error_limit_pct":
        return f"{plain(Decimal(value))} % a year"
    if name in LIMIT_FIELDS:
        return "No limit" if Decimal(value) >= 100 else f"± {plain(Decimal(value))} %"
    if name == "risk_aversion":
        return risk_aversion_words(Decimal(value))
    if name.endswith("_usd"):
        return f"${Decimal(value):,.2f}"
    if name == "long_term_wait_days":
        return f"{value} days"
    if name == "carryforward_years":
        return f"{plain(Decimal(value))} years"
    if name == "harvest_min_loss_pct":
        return f"{plain(Decimal(value))} % of basis"
    if name == "reconciliation_quantity_tolerance":
        return f"{plain(Decimal(value))} shares"
    if name == "gain_cap_scope":
        return str(GainCapScope(value).label)
    return str(value)


def _shared(effective, name: str) -> bool:
    return name in CAP_FIELDS and effective.cap_is_shared(name)


def effective_in_words(prefs: EffectivePreferences, names: tuple[str, ...]) -> list[dict]:
    """Effective values as a page shows them, each with where it comes from."""
    return [
        {
            "label": LABELS[name],
            "value": _shown(name, prefs.values[name]),
            "source": prefs.source_text(name),
        }
        for name in names
    ]


def _scope(request: FirmRequest, *, household_id=None, account_id=None) -> dict:
    firm, membership = request.firm, request.membership
    if account_id is not None:
        return {"account": account_get(firm=firm, account_id=account_id, membership=membership)}
    return {"household": household_get(firm=firm, household_id=household_id, membership=membership)}


def _rows(*, form: PreferencesForm, scope: dict, firm) -> list[dict]:
    account = scope.get("account")
    household = account.household if account else scope["household"]
    defaults = household_defaults(firm=firm, household=household)
    effective = (
        effective_preferences(firm=firm, account=account, as_of=book_as_of(firm=firm))
        if account
        else None
    )
    rows = []
    for name in FIELD_ORDER:
        if name not in form.fields:
            continue
        inherited = defaults[name]
        rows.append(
            {
                "field": form[name],
                "override": form[name.replace("_usd", "_override")]
                if account and name in CAP_FIELDS
                else None,
                "household": _shown(name, inherited),
                "effective": _shown(name, effective.values[name] if effective else inherited)
                + (" shared by the household" if effective and _shared(effective, name) else ""),
                "source": effective.source_text(name) if effective else None,
            }
        )
    return rows


def _page(request: FirmRequest, scope: dict, *, form=None, rule_forms=None) -> HttpResponse:
    firm = request.firm
    account = scope.get("account")
    if form is None:
        form = PreferencesForm(
            initial=PreferencesForm.initial_from(own_preference_set(firm=firm, **scope)),
            for_account=account is not None,
        )
    forms = {kind: cls(prefix=kind) for kind, cls in RULE_FORMS.items()}
    forms.update(rule_forms or {})
    if account is None:
        forms.pop("withdrawal")
    history = (
        account_preference_history(firm=firm, account=account)
        if account
        else household_preference_history(firm=firm, household=scope["household"])
    )
    context = {
        **scope,
        "owner": account or scope["household"],
        "form": form,
        "rows": _rows(form=form, scope=scope, firm=firm),
        "rule_forms": forms,
        "rules": own_rules(firm=firm, **scope),
        "household_rules": own_rules(firm=firm, household=account.household) if account else None,
        "history": paginate(request, history, 20),
        "proposal": current_proposal(firm=firm, account=account) if account else None,
        "screen_values": {field: screen_values(field=field) for field in SCREEN_COLUMNS},
    }
    return render(request, "accounts/preferences.html", context)


def _redirect(scope: dict) -> HttpResponse:
    if "account" in scope:
        return redirect("account_preferences", scope["account"].pk)
    return redirect("household_preferences", scope["household"].pk)


def _save(request: FirmRequest, scope: dict) -> HttpResponse:
    require(request.membership, Action.EDIT_PREFERENCES)
    form = PreferencesForm(request.POST, for_account="account" in scope)
    if form.is_valid():
        try:
            services.preferences_update(
                firm=request.firm, actor=request.actor, values=form.service_values(), **scope
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            note = " Re-optimize now to see the effect." if "account" in scope else ""
            messages.success(request, "Preferences saved." + note)
            if "account" in scope:
                _warn_cash_need(
                    request, scope, form.cleaned_data.get("cash_min_usd"), "The cash minimum"
                )
            return _redirect(scope)
    return _page(request, scope, form=form)


@firm_view(Action.VIEW_BOOK)
@recent_auth_required
def account_preferences(request: FirmRequest, account_id: int) -> HttpResponse:
    scope = _scope(request, account_id=account_id)
    return _save(request, scope) if request.method == "POST" else _page(request, scope)


@firm_view(Action.VIEW_BOOK)
@recent_auth_required
def household_preferences(request: FirmRequest, household_id: int) -> HttpResponse:
    scope = _scope(request, household_id=household_id)
    return _save(request, scope) if request.method == "POST" else _page(request, scope)


def _warn_cash_need(request: FirmRequest, scope: dict, amount, what: str) -> None:
    """Warn (the change is saved) when a cash need is more than the account's value."""
    warning = cash_need_warning(
        firm=request.firm,
        account=scope["account"],
        amount_usd=amount,
        what=what,
        as_of=book_as_of(firm=request.firm),
    )
    if warning:
        messages.warning(request, warning)


def _add_rule(request: FirmRequest, scope: dict, kind: str) -> HttpResponse:
    require(request.membership, Action.EDIT_PREFERENCES)
    form_class = RULE_FORMS.get(kind)
    if form_class is None or (kind == "withdrawal" and "account" not in scope):
        raise Http404(f"There is no {kind} menu here.")
    form = form_class(request.POST, prefix=kind)
    if form.is_valid():
        adders: dict[str, Callable[..., object]] = {
            "restriction": services.restriction_add,
            "screen": services.screen_add,
            "substitution": services.substitution_add,
            "withdrawal": services.withdrawal_add,
        }
        add = adders[kind]
        try:
            add(firm=request.firm, actor=request.actor, **form.cleaned_data, **scope)
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{kind.capitalize()} added.")
            if kind == "withdrawal":
                _warn_cash_need(request, scope, form.cleaned_data["amount_usd"], "The withdrawal")
            return _redirect(scope)
    return _page(request, scope, rule_forms={kind: form})


def _remove_rule(request: FirmRequest, scope: dict, kind: str, rule_id: int) -> HttpResponse:
    rule = rule_get(firm=request.firm, kind=kind, rule_id=rule_id, **scope)
    require(request.membership, Action.EDIT_PREFERENCES)
    services.rule_remove(firm=request.firm, actor=request.actor, instance=rule)
    messages.success(request, f"{kind.capitalize()} removed.")
    return _redirect(scope)


@require_POST
@firm_view(Action.VIEW_BOOK)
@recent_auth_required
def account_rule_add(request: FirmRequest, account_id: int, kind: str) -> HttpResponse:
    return _add_rule(request, _scope(request, account_id=account_id), kind)


@require_POST
@firm_view(Action.VIEW_BOOK)
@recent_auth_required
def household_rule_add(request: FirmRequest, household_id: int, kind: str) -> HttpResponse:
    return _add_rule(request, _scope(request, household_id=household_id), kind)


@require_POST
@firm_view(Action.VIEW_BOOK)
@recent_auth_required
def account_rule_remove(request: FirmRequest, account_id: int, kind: str, rule_id: int):
    return _remove_rule(request, _scope(request, account_id=account_id), kind, rule_id)


@require_POST
@firm_view(Action.VIEW_BOOK)
@recent_auth_required
def household_rule_remove(request: FirmRequest, household_id: int, kind: str, rule_id: int):
    return _remove_rule(request, _scope(request, household_id=household_id), kind, rule_id)
