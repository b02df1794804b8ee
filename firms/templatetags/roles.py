"""Template helpers: role checks and number formatting for the UI."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.urls import reverse

from firms.permissions import can as _can
from firms.review_rules import holds_for_review
from money import plain_digits

register = template.Library()


@register.filter
def can(membership, action: str) -> bool:
    return _can(membership, action)


@register.filter
def held_flags(proposal, firm) -> list[str]:
    """The flags of `proposal` that `firm`'s review rules hold for one-by-one review."""
    return [
        flag
        for flag in proposal.flags
        if holds_for_review(allowed=firm.bulk_approvable_flags, flags=[flag])
    ]


@register.filter
def bulk_approvable(proposal, firm) -> bool:
    """Whether bulk approval takes `proposal`: pending review, and no flag that `firm`'s
    review rules hold for one-by-one review."""
    return proposal.status == "pending_review" and not holds_for_review(
        allowed=firm.bulk_approvable_flags, flags=proposal.flags
    )


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def pct(value, places: int = 2) -> str:
    """A fraction as a percentage: 0.0123 -> '1.23 %'."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{number * 100:,.{int(places)}f} %"


@register.filter
def usd(value) -> str:
    """Money with a thousands separator and a sign for negatives: -1234.5 -> '−$1,234.50'."""
    number = _decimal(value)
    if number is None:
        return "—"
    sign = "−" if number < 0 else ""
    return f"{sign}${abs(number):,.2f}"


@register.filter
def qty(value) -> str:
    """A share quantity without trailing zeros: 12.500000 -> '12.5'."""
    number = _decimal(value)
    if number is None:
        return "—"
    text = plain_digits(number)
    whole, _, frac = text.partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "") if whole.lstrip("-").isdigit() else text


@register.filter
def plain(value) -> str:
    """A number as plain digits for an input or a file, no separators: 4E+1 -> '40'."""
    number = _decimal(value)
    return "" if number is None else plain_digits(number)


@register.filter
def sign_class(value) -> str:
    """'pos', 'neg' or '' for colouring gains and losses."""
    number = _decimal(value)
    if not number:
        return ""
    return "pos" if number > 0 else "neg"


@register.filter
def tax_class(value) -> str:
    """Like ``sign_class`` for a tax: a negative tax (a saving) is good news."""
    return {"pos": "neg", "neg": "pos"}.get(sign_class(value), "")


@register.filter
def label(value) -> str:
    """A code such as 'tax_above_threshold' in words: 'tax above threshold'."""
    return str(value).replace("_", " ")


# an audit event's object type: the page that shows it, and what a role needs to open it
OBJECT_PAGES = {
    "accounts.Account": ("account_detail", "view_book"),
    "accounts.Household": ("household_detail", "view_book"),
    "trading.Proposal": ("proposal_detail", "view_book"),
    "trading.Blotter": ("blotter_detail", "view_blotters"),
    "trading.Run": ("run_detail", "view_runs"),
    "models_library.ModelPortfolio": ("model_detail", "view_models"),
    "models_library.ModelVersion": ("version_detail", "view_models"),
}


@register.filter
def object_url(event, membership) -> str:
    """The page of an audit event's object, when it has one that ``membership`` may open
    ("" otherwise)."""
    page = OBJECT_PAGES.get(event.object_type)
    if page is None or not str(event.object_id).isdigit() or not _can(membership, page[1]):
        return ""
    return reverse(page[0], args=[int(event.object_id)])


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied (for sorting and paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
