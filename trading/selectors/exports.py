"""CSV downloads of what the pages list: proposals, accounts, one account's lots, the audit
log. Each takes the rows the page shows (already filtered, in the firm's and the member's
scope) and writes every one of them, not one page. Decimals are plain digits (never an
exponent), percentages in percent, dates ISO, codes and audit entries in words."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from firms.models import AuditEvent
from firms.templatetags.words import action_words, change_words, object_words
from money import plain_digits
from trading.models import Proposal
from trading.selectors.account_overview import LotRow

HUNDRED = Decimal(100)

PROPOSAL_COLUMNS = (
    "Proposal",
    "Account",
    "Account name",
    "Date",
    "Status",
    "Flags",
    "Account value (USD)",
    "Estimated tax (USD)",
    "Turnover (%)",
    "Drift before (%)",
    "Drift after (%)",
)
ACCOUNT_COLUMNS = (
    "Account",
    "Name",
    "Household",
    "Tax status",
    "Model",
    "Value (USD)",
    "Drift (%)",
    "Proposal status",
    "Flagged",
)
LOT_COLUMNS = (
    "Lot",
    "Security",
    "Acquired",
    "Term",
    "Quantity",
    "Cost basis (USD)",
    "Wash-sale adjustment (USD)",
    "Value (USD)",
    "Unrealized gain/loss (USD)",
)
AUDIT_COLUMNS = ("When (UTC)", "Who", "What", "Object", "Before", "After", "Note")


def _number(value: Decimal | None) -> str:
    return "" if value is None else plain_digits(Decimal(value))


def _percent(value: Decimal | None) -> str:
    return "" if value is None else plain_digits(Decimal(value) * HUNDRED)


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _words(code: str) -> str:
    return code.replace("_", " ")


def proposals_csv(*, proposals: Iterable[Proposal]) -> str:
    """The proposals list; a failed proposal has no figures (blank, not zero)."""
    rows = []
    for p in proposals:
        failed = p.status == "failed"
        figures = (
            ["", "", "", "", ""]
            if failed
            else [
                _number(p.total_value_usd),
                _number(p.estimated_tax_usd),
                _percent(p.turnover),
                _percent(p.drift_before),
                _percent(p.drift_after),
            ]
        )
        rows.append(
            [
                str(p.pk),
                p.account.account_number,
                p.account.name,
                p.as_of.isoformat(),
                p.get_status_display(),
                "; ".join(_words(f) for f in p.flags or []),
                *figures,
            ]
        )
    return _csv(PROPOSAL_COLUMNS, rows)


def accounts_csv(*, accounts: Iterable) -> str:
    """The accounts list, as annotated by ``account_search``."""
    rows = [
        [
            a.account_number,
            a.name,
            a.household.name,
            a.get_tax_status_display(),
            a.model_assignment.model.name if getattr(a, "model_assignment", None) else "",
            _number(a.value),
            _percent(a.drift),
            _words(a.proposal_status or ""),
            "yes" if a.flagged else "no",
        ]
        for a in accounts
    ]
    return _csv(ACCOUNT_COLUMNS, rows)


def lots_csv(*, lots: Iterable[LotRow]) -> str:
    """One account's open lots, as its page shows them."""
    rows = [
        [
            lot.lot_ref,
            lot.symbol,
            lot.acquired.isoformat(),
            "Long-term" if lot.term == "long" else "Short-term",
            _number(lot.quantity),
            _number(lot.cost_basis_usd),
            _number(lot.wash_sale_adjustment_usd),
            _number(lot.value_usd),
            _number(lot.gain_usd),
        ]
        for lot in lots
    ]
    return _csv(LOT_COLUMNS, rows)


def _changes(recorded) -> str:
    return "; ".join(f"{k}: {v}" if k else v for k, v in change_words(recorded))


def audit_csv(*, events: Iterable[AuditEvent]) -> str:
    """Audit events in the words the log page uses."""
    rows = [
        [
            e.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_label,
            action_words(e.action),
            object_words(e.object_repr),
            _changes(e.before),
            _changes(e.after),
            e.note,
        ]
        for e in events
    ]
    return _csv(AUDIT_COLUMNS, rows)
