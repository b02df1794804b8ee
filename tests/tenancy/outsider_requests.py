"""What the outsider test sends: firm B's object for each path parameter, and a valid
body naming firm B's objects for each pattern that takes one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Household
from firms.models import Firm
from rebalancer.tenancy import firm_owned_models
from trading.models import Order

from .outsider_book import RULE_KINDS, OutsiderBook
from .url_walk import Pattern

Values = Callable[[OutsiderBook, Pattern, dict], object]


def _admin_object(b: OutsiderBook, pattern: Pattern, got: dict) -> object:
    """The admin's object of the pattern's model (admin/<app>/<model>/...): firm B's."""
    parts = pattern.route.split("/")
    if parts[1] == "r":  # view_on_site: content type, then object
        return b.household.pk
    model = apps.get_model(parts[1], parts[2])
    if model is Firm:
        return b.firm.pk
    if model is get_user_model():
        return b.people["advisor"].pk
    if model in firm_owned_models():
        return (
            model._default_manager.filter(firm=b.firm)
            .order_by("pk")
            .values_list("pk", flat=True)[0]
        )
    return model.objects.order_by("pk").values_list("pk", flat=True).first() or 1


def _held_price(b: OutsiderBook, pattern: Pattern, got: dict) -> int:
    """A steward's held price that firm B sent."""
    held_price = apps.get_model("models_library", "HeldPrice")
    security = b.published.lines.order_by("pk")[0].security
    return held_price.objects.get_or_create(
        security=security,
        date="2025-06-27",
        status="held",
        defaults={
            "close": "1.00",
            "previous_close": "300.00",
            "sent_by_firm": b.firm,
            "sent_by": "quixotic-feed",
        },
    )[0].pk


def _rule(b: OutsiderBook, pattern: Pattern, got: dict) -> int:
    scope = "account" if "account_id" in got else "household"
    return b.rules[(scope, got["kind"])]


#: Every path parameter's firm-B value; a list is tried value by value. A parameter not
#: named here fails the test: say which of firm B's objects it names.
PARAMS: dict[str, Values] = {
    "household_id": lambda b, p, got: b.household.pk,
    "account_id": lambda b, p, got: b.accounts[0].pk,
    "kind": lambda b, p, got: list(RULE_KINDS),
    "rule_id": _rule,
    "user_id": lambda b, p, got: b.people["advisor"].pk,
    "model_id": lambda b, p, got: b.model.pk,
    "version_id": lambda b, p, got: [b.draft.pk, b.published.pk],
    "proposal_id": lambda b, p, got: [b.pending.pk, b.approved.pk, b.failed.pk],
    "trade_id": lambda b, p, got: b.trade.pk,
    "blotter_id": lambda b, p, got: [b.open_blotter.pk, b.filled_blotter.pk],
    "run_id": lambda b, p, got: b.run.pk,
    "order_id": lambda b, p, got: _first_order(b).pk,
    "key_id": lambda b, p, got: b.key.pk,
    "held_id": _held_price,
    "set_id": lambda b, p, got: b.equivalence_set.pk,
    "reconciliation_id": lambda b, p, got: b.reconciliation.pk,
    "gift_id": lambda b, p, got: b.gift.pk,
    "rest": lambda b, p, got: f"households/{b.household.pk}/",
    # the admin site's
    "app_label": lambda b, p, got: "accounts",
    "object_id": _admin_object,
    "id": lambda b, p, got: b.people["advisor"].pk,
    "content_type_id": lambda b, p, got: ContentType.objects.get_for_model(Household).pk,
    "url": lambda b, p, got: f"accounts/household/{b.household.pk}/history/x/",
    # the set-password link's (listed in NOT_FILLABLE: the token is the secret)
    "uidb64": lambda b, p, got: "MQ",
    "token": lambda b, p, got: "not-a-token",
}

#: Patterns the test cannot fill, each with the reason.
NOT_FILLABLE: dict[str, str] = {
    "set_password": "an invited person's one-time link: its token is the secret and names no "
    "firm's object (tests/accounts/test_firm_admin.py proves a used link is refused)",
}


def unknown_params(patterns: list[Pattern]) -> list[str]:
    return sorted(
        f"{pattern.key}: {name}"
        for pattern in patterns
        for name in pattern.params
        if name not in PARAMS
    )


def fillings(b: OutsiderBook, pattern: Pattern) -> list[dict]:
    """Every combination of firm B values for the pattern's parameters."""
    combos: list[dict] = [{}]
    for name in dict.fromkeys(pattern.params):
        grown = []
        for got in combos:
            value = PARAMS[name](b, pattern, got)
            for one in value if isinstance(value, list) else [value]:
                grown.append({**got, name: one})
        combos = grown
    return combos


def query_naming_b(b: OutsiderBook) -> dict:
    """Filters naming firm B's objects, sent to every list (a pattern without parameters)."""
    return {
        "household": b.household.pk,
        "account": b.accounts[0].account_number,
        "account_number": b.accounts[0].account_number,
        "q": b.accounts[0].account_number,
        "model": b.model.pk,
        "run": b.run.pk,
        "blotter": b.open_blotter.pk,
        "proposal": b.pending.pk,
        "a": b.draft.pk,
        "b": b.published.pk,
    }


def _first_order(b: OutsiderBook) -> Order:
    """Firm B's first open order, or its filled blotter's first."""
    order = b.open_blotter.orders.order_by("pk").first() or b.filled_blotter.orders.first()
    assert order is not None, "firm B has no orders"
    return order


def _fills_csv(b: OutsiderBook) -> SimpleUploadedFile:
    order = _first_order(b)
    text = (
        "fill_id,order_id,account_number,quantity,price,trade_date\n"
        f"OUT-F1,{order.pk},{b.accounts[2].account_number},1,300.00,2025-07-02\n"
    )
    return SimpleUploadedFile("fills.csv", text.encode(), content_type="text/csv")


def _positions_csv(b: OutsiderBook) -> SimpleUploadedFile:
    text = (
        f"account_number,as_of,symbol,quantity\n{b.accounts[0].account_number},2025-06-30,VTI,1\n"
    )
    return SimpleUploadedFile("positions.csv", text.encode(), content_type="text/csv")


_RULE_FORM = {
    "restriction": {"restriction-symbol": "VTI", "restriction-type": "do_not_buy"},
    "screen": {"screen-field": "sector", "screen-value": "Energy"},
    "substitution": {"substitution-from_symbol": "BND", "substitution-to_symbol": "AGG"},
    "withdrawal": {
        "withdrawal-amount_usd": "10.00",
        "withdrawal-frequency": "one_time",
        "withdrawal-start_date": "2025-08-01",
    },
}

#: Page forms: a valid body for each pattern, naming firm B's objects.
WEB_BODIES: dict[str, Callable[[OutsiderBook, dict], dict]] = {
    "household_preferences": lambda b, got: {"cost_bps": "5"},
    "account_preferences": lambda b, got: {"cost_bps": "5"},
    "household_rule_add": lambda b, got: _RULE_FORM[got["kind"]],
    "account_rule_add": lambda b, got: _RULE_FORM[got["kind"]],
    "draft_edit": lambda b, got: {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-security": "VTI",
        "form-0-weight": "100",
        "note": "outsider",
    },
    "account_model_assign": lambda b, got: {"model": b.model.pk},
    "account_gifts": lambda b, got: {"gift-amount_usd": "10.00", "gift-date": _soon()},
    "model_settings": lambda b, got: {"tracking_error_limit_pct": "0.4"},
    "models": lambda b, got: {"name": "Outsider model"},
    "equivalence_sets": lambda b, got: {"name": "Outsider set", "symbols": "VTI ITOT"},
    "proposals_bulk_approve": lambda b, got: {"proposal": [b.pending.pk, b.approved.pk]},
    "proposal_reject": lambda b, got: {"comment": "Not for us"},
    "trade_edit": lambda b, got: {"quantity": "1"},
    "blotter_import": lambda b, got: {"file": _fills_csv(b)},
    "blotter_order_terms": lambda b, got: {"order_type": "market", "time_in_force": "gtc"},
    "run_now": lambda b, got: {"accounts": b.accounts[0].account_number},
    "reconciliation_import": lambda b, got: {"file": _positions_csv(b)},
    "reconciliation_resolve": lambda b, got: {"decision": "accept", "note": "outsider"},
    "firm_security": lambda b, got: {"require_mfa": "on"},
}


def _soon() -> str:
    return (dt.date.today() + dt.timedelta(days=10)).isoformat()


def _rows(**row) -> dict:
    return {"rows": [row]}


#: API bodies (JSON): a valid body for each pattern, naming firm B's objects.
API_BODIES: dict[str, Callable[[OutsiderBook, dict], dict]] = {
    "api:api-keys": lambda b, got: {"name": "outsider", "scopes": ["read"]},
    "api:households": lambda b, got: {"name": "Outsider household"},
    "api:household-preferences": lambda b, got: {"cost_bps": "5"},
    "api:account-preferences": lambda b, got: {"cost_bps": "5"},
    "api:model": lambda b, got: {"tracking_error_limit_pct": "0.4"},
    "api:clients": lambda b, got: {
        "household": b.household.pk,
        "first_name": "Out",
        "last_name": "Sider",
    },
    "api:accounts": lambda b, got: {
        "household": b.household.pk,
        "client": b.client.pk,
        "account_number": "OUT-1",
        "name": "Outsider",
        "custodian": "Schwab",
        "registration_type": "individual",
    },
    "api:account-model": lambda b, got: {"model": b.model.pk},
    "api:account-gifts": lambda b, got: {"amount_usd": "10.00", "date": _soon()},
    "api:equivalence-sets": lambda b, got: {"name": "Outsider set", "symbols": ["VTI", "ITOT"]},
    "api:equivalence-set": lambda b, got: {"name": "Outsider set", "symbols": ["VTI", "AGG"]},
    "api:securities-bulk": lambda b, got: _rows(
        symbol="OUTSD", name="Outsider Inc", asset_class="us_equity"
    ),
    "api:prices-bulk": lambda b, got: _rows(symbol="VTI", date="2025-06-30", close="300.00"),
    "api:transactions-bulk": lambda b, got: _rows(
        account_number=b.accounts[0].account_number,
        external_id="OUT-T1",
        date="2025-07-02",
        type="buy",
        symbol="VTI",
        quantity="1",
        amount_usd="300.00",
    ),
    "api:cash-bulk": lambda b, got: _rows(
        account_number=b.accounts[0].account_number, amount_usd="1.00", as_of="2025-07-02"
    ),
    "api:account-optimize": lambda b, got: {"as_of": "2025-06-30"},
    "api:custodian-positions-bulk": lambda b, got: _rows(
        account_number=b.accounts[0].account_number, as_of="2025-06-30", symbol="VTI", quantity="1"
    ),
    "api:reconciliation-resolve": lambda b, got: {"decision": "accept", "note": "outsider"},
    "api:corporate-actions": lambda b, got: _rows(
        reference="OUT-SPLIT", kind="split", symbol="VTI", effective_date="2025-06-30", ratio="2"
    ),
    "api:proposal-reject": lambda b, got: {"comment": "Not for us"},
    "api:blotter-fills": lambda b, got: _rows(
        fill_id="OUT-F1",
        order_id=_first_order(b).pk,
        account_number=b.accounts[2].account_number,
        quantity="1",
        price="300.00",
        trade_date="2025-07-02",
    ),
    "api:runs": lambda b, got: {
        "as_of": "2025-06-30",
        "account_numbers": [b.accounts[0].account_number],
    },
    "api:household-management": lambda b, got: {"managed_as_one": True},
    "api:household-held-away": lambda b, got: {
        "name": "Outsider 401k",
        "tax_status": "tax_deferred",
        "positions": [{"symbol": "VTI", "quantity": "1", "market_value_usd": "300.00"}],
    },
    "api:household-proposal-approve": lambda b, got: {"accounts": [b.accounts[0].pk]},
}


def generic_body(b: OutsiderBook) -> dict:
    """For a pattern with no body above: every common field, naming firm B's objects."""
    return {
        "household": b.household.pk,
        "account": b.accounts[0].pk,
        "client": b.client.pk,
        "model": b.model.pk,
        "version": b.draft.pk,
        "proposal": b.pending.pk,
        "blotter": b.open_blotter.pk,
        "run": b.run.pk,
        "key": b.key.pk,
        "user": b.people["advisor"].pk,
        "comment": "outsider",
        "quantity": "1",
    }


def body_for(b: OutsiderBook, pattern: Pattern, got: dict) -> dict:
    table = API_BODIES if pattern.is_api else WEB_BODIES
    make = table.get(pattern.key.split(" ")[0])
    return make(b, got) if make else generic_body(b)
