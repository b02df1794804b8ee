"""Template helpers that put the product's codes in plain words: audit actions and their
before/after values, and the rules the optimizer names."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from money import CENT, plain_digits
from optimizer.harvest_drift import NO_WASH_SALES_RULE, names_harvest

register = template.Library()

ACTION_WORDS = {
    "account.create": "Account opened",
    "api_key.create": "API key issued",
    "api_key.revoke": "API key revoked",
    "blotter.approve": "Blotter approved",
    "blotter.create": "Blotter created",
    "blotter.export": "Orders exported",
    "cash.set": "Cash balance set",
    "client.create": "Client added",
    "fills.import": "Fills imported",
    "firm.reference_data_steward": "Reference-data steward changed",
    "firm.security_update": "Sign-in security changed",
    "household.create": "Household created",
    "mfa.disable": "Two-step sign-in turned off",
    "mfa.enable": "Two-step sign-in turned on",
    "mfa.recovery_codes_regenerate": "Recovery codes renewed",
    "mfa.reset": "Two-step sign-in reset",
    "model.assign": "Model assigned",
    "model.create": "Model created",
    "model_version.draft_save": "Model draft saved",
    "model_version.publish": "Model version published",
    "preferences.update": "Preferences changed",
    "prices.adopt": "Prices adopted",
    "prices.reject": "Held price rejected",
    "prices.release": "Held price released",
    "prices.upsert": "Prices received",
    "proposal.approved": "Proposal approved",
    "proposal.rejected": "Proposal rejected",
    "proposal.reoptimize": "Proposal re-optimized",
    "proposal.unapprove": "Approval undone",
    "proposed_trade.edit": "Trade quantity changed",
    "run.rerun_failed": "Failed accounts rerun",
    "run.start": "Nightly run started",
    "securities.upsert": "Securities received",
    "transactions.record": "Transactions recorded",
    "cashwithdrawal.remove": "Withdrawal removed",
}
RULE_KINDS = {"restriction", "screen", "substitution", "withdrawal"}

FAMILY_WORDS = {
    "account": "Accounts",
    "api_key": "API keys",
    "blotter": "Blotters",
    "cash": "Cash",
    "client": "Clients",
    "fills": "Fills",
    "firm": "Firm settings",
    "household": "Households",
    "mfa": "Two-step sign-in",
    "model": "Models",
    "model_version": "Model versions",
    "preferences": "Preferences",
    "prices": "Prices",
    "proposal": "Proposals",
    "proposed_trade": "Trade edits",
    "restriction": "Restrictions",
    "run": "Nightly runs",
    "screen": "Screens",
    "securities": "Securities",
    "substitution": "Substitutions",
    "transactions": "Transactions",
    "withdrawal": "Withdrawals",
}

# keys that name the row itself or its owner, which the event's object already says
HIDDEN_KEYS = {
    "id",
    "firm",
    "firm_id",
    "household",
    "household_id",
    "account",
    "account_id",
    "created_at",
    "created_by",
    "created_by_id",
}
KEY_WORDS = {
    "from_symbol": "Instead of",
    "to_symbol": "Hold",
    "type": "Rule",
    "start_date": "From",
    "end_date": "Until",
    "field": "Exclude by",
    "cost_bps": "Transaction cost",
    "short_term_rate": "Short-term tax rate",
    "long_term_rate": "Long-term tax rate",
    "max_realized_gain_usd": "Cap on net realized gain this year",
    "max_short_term_gain_usd": "Cap on net short-term gain this year",
    "cash_min_usd": "Minimum cash",
    "min_trade_value_usd": "Minimum trade",
    "max_realized_gain_override": "Own cap on realized gains",
    "max_short_term_gain_override": "Own cap on short-term gains",
    "lot_relief_method": "Lots to sell first",
    "sub_model": "Model",
}
PERCENT_KEYS = {"weight", "turnover", "drift_before", "drift_after"}
CODE_KEYS = {"type", "frequency", "status", "field", "lot_relief_method", "side", "role"}
NUMBER = re.compile(r"^-?\d+(\.\d+)?(E[+-]?\d+)?$", re.IGNORECASE)
LIST_SHOWN = 12


@register.filter
def action_words(action: str) -> str:
    """An audit action in words: 'restriction.add' -> 'Restriction added'."""
    action = str(action)
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    family, _, verb = action.partition(".")
    if family in RULE_KINDS and verb in {"add", "remove"}:
        return f"{family.capitalize()} {'added' if verb == 'add' else 'removed'}"
    if family == "proposal":
        return f"Proposal {verb.replace('_', ' ')}"
    return action.replace(".", ": ").replace("_", " ").capitalize()


@register.filter
def family_words(family: str) -> str:
    """An audit action family in words: 'model_version' -> 'Model versions'."""
    return FAMILY_WORDS.get(family) or str(family).replace("_", " ").capitalize()


def key_words(key: str) -> str:
    """A recorded field in words ('amount_usd' -> 'Amount'; its value shows the unit)."""
    if key in KEY_WORDS:
        return KEY_WORDS[key]
    text = key.removesuffix("_usd").removesuffix("_bps")
    return text.replace("_", " ").capitalize()


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal) or (isinstance(value, str) and NUMBER.match(value)):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return None


def _percent(number: Decimal) -> str:
    return f"{plain_digits((number * 100).quantize(CENT))} %"


def value_words(key: str, value: Any) -> str:
    """A recorded value as a person reads it: money with a dollar sign, rates and weights
    as percentages, codes in words, numbers without trailing zeros or exponents."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return _mapping_words(key, value)
    if isinstance(value, list):
        return _list_words(key, value)
    number = _number(value)
    if number is not None:
        if key.endswith("_usd"):
            sign = "−" if number < 0 else ""
            return f"{sign}${abs(number):,.2f}"
        if key.endswith("_rate") or key in PERCENT_KEYS:
            return _percent(number)
        if key.endswith("_bps"):
            return f"{plain_digits(number)} bps"
        return plain_digits(number)
    if key in CODE_KEYS:
        return str(value).replace("_", " ")
    return str(value)


def _mapping_words(key: str, value: dict) -> str:
    if key == "weights":  # symbol -> weight
        parts = [f"{symbol} {value_words('weight', w)}" for symbol, w in value.items()]
    else:
        parts = [
            f"{key_words(k)} {value_words(k, v)}" for k, v in value.items() if k not in HIDDEN_KEYS
        ]
    return _joined(parts)


def _list_words(key: str, value: list) -> str:
    parts = []
    for item in value:
        if isinstance(item, dict) and "weight" in item:
            name = item.get("security") or (
                f"model #{item['sub_model']}" if item.get("sub_model") else "?"
            )
            parts.append(f"{name} {value_words('weight', item['weight'])}")
        else:
            parts.append(value_words(key, item))
    return _joined(parts)


def _joined(parts: list[str]) -> str:
    more = len(parts) - LIST_SHOWN
    shown = ", ".join(parts[:LIST_SHOWN])
    return f"{shown} and {more} more" if more > 0 else shown


@register.filter
def change_words(recorded: Any) -> list[tuple[str, str]]:
    """An event's before or after as (label, value) lines, internal keys left out."""
    if recorded in (None, "", {}, []):
        return []
    if not isinstance(recorded, dict):
        return [("", value_words("", recorded))]
    return [
        (key_words(key), value_words(key, value))
        for key, value in recorded.items()
        if key not in HIDDEN_KEYS
    ]


OBJECT_DEFAULT = re.compile(r"^(\w+) object \((\d+)\)$")


@register.filter
def object_words(text: str) -> str:
    """An event's object as recorded, without Django's 'Model object (18)' wording."""
    match = OBJECT_DEFAULT.match(str(text))
    if match is None:
        return str(text)
    name = re.sub(r"(?<!^)(?=[A-Z])", " ", match.group(1)).lower().capitalize()
    return f"{name.replace('Cash withdrawal', 'Withdrawal')} #{match.group(2)}"


GAIN_CAPS = {
    "max_realized_gain": "Cap on realized gains",
    "max_short_term_gain": "Cap on short-term gains",
}


@register.filter
def rule_words(rule: dict) -> str:
    """A binding rule the optimizer names ('restriction', 'do_not_sell AMAT') in words."""
    kind, detail = str(rule.get("rule", "")), str(rule.get("detail", ""))
    if kind == "restriction":
        code, _, symbol = detail.partition(" ")
        return f"{code.replace('_', ' ').capitalize()} {symbol}".strip()
    if kind == "screen":
        field, _, value = detail.partition(" = ")
        return f"Never buy {field.replace('_', ' ')} {value}".strip()
    if kind == "substitution":
        old, _, new = detail.partition(" -> ")
        return f"Hold {new} instead of {old}"
    if kind == "gain_cap":
        name, _, amount = detail.partition(" ")
        cap = _number(amount)
        shown = f" of ${cap:,.2f}" if cap is not None else ""
        return f"{GAIN_CAPS.get(name, name.replace('_', ' ').capitalize())}{shown}"
    if kind == NO_WASH_SALES_RULE:
        # a direct index's harvest names what the rule keeps it from buying back
        return f"No wash sales after the {detail}" if names_harvest(detail) else "No wash sales"
    return f"{kind.replace('_', ' ').capitalize()}: {detail}" if detail else kind
